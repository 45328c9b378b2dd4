import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { BUBBLEWRAP_MISSING } from "../../src/adapters/local/sandbox/bubblewrap.js";
import { UNSANDBOXED_WARNING } from "../../src/adapters/local/sandbox/unsandboxed.js";
import { freePort, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { World, type ChildApp, type ChildAppOptions } from "../support/child-app.js";
import { testPrivateKey } from "../support/fake-github.js";
import { listeningSockets } from "../support/listening-sockets.js";
import { markedProcesses, processMarker, untilMarked } from "../support/processes.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

/**
 * A hostile build against the app as a newcomer runs it (SPEC 9, embedded mode): the app in a process
 * of its own, started in its directory with its `.env` and its private key's file beside it, its data
 * in the default `./.data`, built through a signed webhook and followed to the check run's end. The
 * build tries everything the app and another build keep; each try prints `blocked` or `LEAKED`. When
 * the tests run as root, the app runs as root and again as an ordinary user (setpriv), as on a laptop.
 */
const TIMEOUT_MS = 120_000;
const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;
const users: [string, ChildAppOptions["user"]][] = asRoot
  ? [
      ["as root", undefined],
      ["as an ordinary user", NOBODY],
    ]
  : [["as the ordinary user that runs the tests", undefined]];

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.email=dev@example.com", "-c", "user.name=Dev", "-c", "init.defaultBranch=main", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
}

/** A repository of one commit with these files; its head sha. */
function commit(directory: string, files: Record<string, string>): string {
  git(directory, "init", "-q");
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(directory, file), content);
  git(directory, "add", "-A");
  git(directory, "commit", "-q", "-m", "Commit");
  return git(directory, "rev-parse", "HEAD");
}

function buildspec(commands: string[]): string {
  return `version: 0.2\nphases:\n  build:\n    commands:\n${commands.map((c) => `      - ${JSON.stringify(c)}`).join("\n")}\n`;
}

/** A command that tries `command` and prints whether it got through. */
function attempt(name: string, command: string): string {
  return `if ( ${command} ) >/dev/null 2>&1; then echo "LEAKED ${name}"; else echo "blocked ${name}"; fi`;
}

/** A Node.js one-liner that connects to a Unix socket (bash cannot). */
function connectUnix(socketPath: string): string {
  return `node -e 'require("net").connect(process.argv[1]).on("connect", () => process.exit(0)).on("error", () => process.exit(1))' ${socketPath}`;
}

/** A push of `sha` to the repository `name` (id `id`) of installation 7; its clone_url is a stored string the runner must not use. */
function push(sha: string, name: string, id: number) {
  const payload = pushPayload(sha, { private: true });
  payload.repository = { ...payload.repository, id, name, full_name: `Codertocat/${name}`, clone_url: "https://attacker.example/not-the-repository.git" };
  return payload;
}

/** Processes whose command line is exactly `sleep 600`, as a build leaves them with `setsid sleep 600 &`. */
function leftSleeps(): string[] {
  return readdirSync("/proc").filter((pid) => {
    try {
      return (
        /^\d+$/.test(pid) &&
        readFileSync(`/proc/${pid}/cmdline`, "utf8") === "sleep\u0000600\u0000" &&
        !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))
      );
    } catch {
      return false;
    }
  });
}

describe.each(users)("a hostile build, the app running %s", (_who, user) => {
  let world: World;
  let root: string;
  let release: Server | undefined;

  beforeEach(async () => {
    world = await World.start();
    root = mkdtempSync(path.join(tmpdir(), "cbc-attack-"));
    chmodSync(root, 0o755);
  });

  afterEach(async () => {
    release?.close();
    release = undefined;
    await world.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** The app's directory (with `.env` and its key), and the directory its builds' workspaces go to (TMPDIR), owned by whoever runs it. */
  function appFiles() {
    const appDirectory = path.join(root, "app");
    const temporary = path.join(root, "tmp");
    mkdirSync(appDirectory, { mode: 0o700 });
    mkdirSync(temporary, { mode: 0o711 });
    chmodSync(temporary, 0o711);
    const keyFile = path.join(appDirectory, "github-app.private-key.pem");
    writeFileSync(keyFile, testPrivateKey(), { mode: 0o600 });
    writeFileSync(path.join(appDirectory, ".env"), `WEBHOOK_SECRET=${WEBHOOK_SECRET}\nAPP_ID=1\n`, { mode: 0o600 });
    if (user) for (const entry of [appDirectory, temporary, keyFile, path.join(appDirectory, ".env")]) chownSync(entry, user.uid, user.gid);
    return { appDirectory, temporary, keyFile, dataDir: path.join(appDirectory, ".data") };
  }

  /** The app in embedded mode, configured only through its environment (and its `.env`). */
  async function startApp(files: ReturnType<typeof appFiles>, env: Record<string, string> = {}): Promise<ChildApp> {
    const app = await world.startApp(
      {
        AWS_REGION: "",
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_ENDPOINT_URL_DYNAMODB: "",
        AWS_ENDPOINT_URL_CODEBUILD: "",
        AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: "",
        AWS_ENDPOINT_URL_SECRETS_MANAGER: "",
        CODEBUILD_PROJECT: "",
        TABLE_AUTO_CREATE: "",
        PRIVATE_KEY: "",
        PRIVATE_KEY_PATH: files.keyFile,
        HOME: files.appDirectory,
        TMPDIR: files.temporary,
        LOCAL_CONCURRENCY: "2",
        ...env,
      },
      { cwd: files.appDirectory, user },
    );
    return app;
  }

  test(
    "learns nothing the app or another build keeps, leaves nothing running, and its check run completes",
    async () => {
      const files = appFiles();
      const app = await startApp(files);
      // The app listens on its public port and nowhere else on TCP: the embedded store is on a Unix socket.
      const { tcpPorts, unixPaths } = listeningSockets(app.pid!);
      expect(tcpPorts).toEqual([app.port]);
      expect(unixPaths).toEqual([expect.stringMatching(new RegExp(`^${files.temporary}/codebuild-checks-store-[^/]+/dynamodb\\.sock$`))]);

      // A build of another repository, running meanwhile with a variable of its own, until the test releases it.
      const releasePort = await freePort();
      const victimMarker = processMarker();
      const canary = `victim-token-${randomUUID()}`;
      const victimDirectory = path.join(root, "victim");
      mkdirSync(victimDirectory);
      const victimSha = commit(victimDirectory, {
        "buildspec.yml": buildspec([`bash -c 'until (exec 5<>/dev/tcp/127.0.0.1/${releasePort}) 2>/dev/null; do sleep 0.2; done' ${victimMarker}`]),
      });
      world.github.gitRepository("Codertocat/victim-app", victimDirectory, { id: 5001, installationId: 7 });
      world.github.file("Codertocat/victim-app", victimSha, ".github/codebuild.yml", `env:\n  VICTIM_DEPLOY_TOKEN: ${canary}\n`);
      expect((await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "push", push(victimSha, "victim-app", 5001))).status).toBe(200);
      await untilMarked(victimMarker, 1);
      const victimPids = markedProcesses(victimMarker);
      if (asRoot) expect(readFileSync(`/proc/${victimPids[0]}/environ`, "utf8")).toContain(`VICTIM_DEPLOY_TOKEN=${canary}`);

      const leftover = processMarker();
      const attempts = [
        attempt("data-dir", `ls ${files.dataDir}`),
        attempt("secrets-key", `cat ${files.dataDir}/secrets.key`),
        attempt("secrets-file", `cat ${files.dataDir}/secrets.enc`),
        attempt("table-files", `ls ${files.dataDir}/dynamodb`),
        attempt("app-directory", `ls ${files.appDirectory}`),
        attempt("dotenv", `cat ${files.appDirectory}/.env`),
        attempt("private-key", `cat ${files.keyFile}`),
        ...unixPaths.flatMap((socket) => [
          attempt(`store-socket ${socket}`, connectUnix(socket)),
          attempt(`store-directory ${socket}`, `ls ${path.dirname(socket)}`),
        ]),
        ...tcpPorts.filter((port) => port !== app.port).map((port) => attempt(`tcp ${port}`, `exec 5<>/dev/tcp/127.0.0.1/${port}`)),
        ...victimPids.map((pid) => attempt(`victim-environment ${pid}`, `grep -qa VICTIM_DEPLOY_TOKEN= /proc/${pid}/environ`)),
        attempt("any-environment", "cat /proc/[0-9]*/environ | grep -qa VICTIM_DEPLOY_TOKEN="),
        attempt("app-environment", `grep -qa WEBHOOK_SECRET= /proc/${app.pid}/environ`),
        attempt("victim-signal", `kill -0 ${victimPids[0]}`),
      ];
      const attackerDirectory = path.join(root, "attacker");
      mkdirSync(attackerDirectory);
      const attackerSha = commit(attackerDirectory, {
        "buildspec.yml": buildspec([...attempts, "setsid sleep 600 &", `setsid bash -c "exec -a ${leftover} sleep 600" &`, "exit 0"]),
      });
      world.github.gitRepository("Codertocat/hostile-app", attackerDirectory, { id: 5002, installationId: 7 });
      world.github.file("Codertocat/hostile-app", attackerSha, ".github/codebuild.yml", "log_lines: 200\n");
      expect((await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "push", push(attackerSha, "hostile-app", 5002))).status).toBe(200);

      const attack = await waitFor(
        () => world.github.runsFor(attackerSha).find((r) => r.status === "completed"),
        "the hostile build's check run completed",
        60_000,
      );
      const text = attack.output?.text ?? "";
      const outcomes = text.split("\n").filter((line) => /^(LEAKED|blocked) /.test(line));
      expect(outcomes).toEqual(attempts.map((command) => `blocked ${/echo "blocked ([^"]+)"/.exec(command)![1]}`));
      // `exit` ended the build's shell, so its phase failed; the check run completed all the same.
      expect(attack.conclusion).toBe("failure");
      expect(text).not.toContain(canary);

      release = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => release!.listen(releasePort, "127.0.0.1", resolve));
      const victim = await waitFor(
        () => world.github.runsFor(victimSha).find((r) => r.status === "completed"),
        "the other build's check run completed",
        60_000,
      );
      expect(victim.conclusion).toBe("success");

      // Nothing of either build runs on, and their workspaces are gone.
      expect(markedProcesses(leftover)).toEqual([]);
      expect(markedProcesses(victimMarker)).toEqual([]);
      expect(leftSleeps()).toEqual([]);
      await waitFor(() => readdirSync(files.temporary).every((name) => !/^codebuild-checks-[A-Za-z0-9]{6}$/.test(name)), "the builds' workspaces removed");
      expect(app.exited).toBe(false);
    },
    TIMEOUT_MS,
  );
});

describe("the local runner at start-up", () => {
  let world: World;
  let root: string;

  beforeEach(async () => {
    world = await World.start();
    root = mkdtempSync(path.join(tmpdir(), "cbc-start-"));
  });

  afterEach(async () => {
    await world.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Embedded mode, its data and its store's socket in the test's directory. */
  const embedded = (extra: Record<string, string>) => ({
    AWS_REGION: "",
    CODEBUILD_PROJECT: "",
    TABLE_AUTO_CREATE: "",
    DATA_DIR: path.join(root, "data"),
    TMPDIR: root,
    ...extra,
  });

  test("without bwrap, refuses to start, in one line that says what to install, and leaves no store socket behind", async () => {
    const app = await world.spawnApp(embedded({ PATH: path.join(root, "no-bwrap-here") }));
    expect(await app.exitCode()).toBe(1);
    expect(app.output.trim().split("\n").at(-1)).toBe(BUBBLEWRAP_MISSING);
    expect(readdirSync(root).filter((name) => name.startsWith("codebuild-checks-store-"))).toEqual([]);
  }, 60_000);

  test("with LOCAL_ISOLATION=none, starts and warns that builds can read the app's keys and each other", async () => {
    const app = await world.startApp(embedded({ LOCAL_ISOLATION: "none" }));
    expect(app.output).toContain(UNSANDBOXED_WARNING);
  }, 60_000);
});
