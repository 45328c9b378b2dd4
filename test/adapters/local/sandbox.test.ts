import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { homedir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { bubblewrapArguments, SANDBOX_PATHS } from "../../../src/adapters/local/sandbox/bubblewrap-arguments.js";
import { Bubblewrap, BUBBLEWRAP_MISSING, openBubblewrap } from "../../../src/adapters/local/sandbox/bubblewrap.js";
import { BUILD_UIDS, BuildUids } from "../../../src/adapters/local/sandbox/build-uids.js";
import { machineView, type MachineView } from "../../../src/adapters/local/sandbox/machine-view.js";
import {
  bubblewrap,
  buildRequest,
  buildspec,
  localRunner,
  logLines,
  repository,
  temporaryDirectory,
  waitForBuild,
  workDirectory,
} from "./local-build-fixtures.js";
import { markedProcesses, processMarker, untilMarked } from "../../support/processes.js";

const asRoot = process.getuid?.() === 0;

/**
 * A buildspec's command that tries `command` and says in the log whether it worked: `LEAKED name`
 * when the build got at something it must not, `blocked name` when it did not.
 */
function attempt(name: string, command: string): string {
  return `if ( ${command} ) >/dev/null 2>&1; then echo "LEAKED ${name}"; else echo "blocked ${name}"; fi`;
}

/** The attempts' outcomes as the build's log tells them. */
async function outcomes(dataDir: string, id: string): Promise<string[]> {
  return (await logLines(dataDir, id)).filter((line) => /^(LEAKED|blocked) /.test(line));
}

describe("a build in the bubblewrap sandbox", () => {
  test("sees the system read-only and nothing of the app, of its user's home or of other builds", async () => {
    const dataDir = await temporaryDirectory();
    await writeFile(join(dataDir, "secrets.key"), "the app's key\n");
    const workRoot = await workDirectory();
    const other = await mkdtemp(join(workRoot, "codebuild-checks-"));
    await writeFile(join(other, "secret.txt"), "another build's file\n");
    const appDirectory = process.cwd();
    const repo = await repository({
      "buildspec.yml": buildspec({
        build: [
          attempt("data-dir", `ls ${dataDir}`),
          attempt("data-dir-key", `cat ${dataDir}/secrets.key`),
          attempt("other-build", `cat ${other}/secret.txt`),
          attempt("work-root", `ls ${workRoot}`),
          attempt("app-directory", `ls ${appDirectory}/package.json`),
          attempt("home", `ls ${homedir()}`),
          attempt("write-system", "touch /usr/codebuild-checks-was-here"),
          attempt("write-etc", "touch /etc/codebuild-checks-was-here"),
          "echo written > /tmp/own-tmp && cat /tmp/own-tmp",
          "echo home=$HOME src=$CODEBUILD_SRC_DIR pwd=$PWD",
        ],
      }),
    });
    const { runner } = await localRunner({ dataDir, workRoot, sandbox: await bubblewrap(workRoot, [dataDir, appDirectory]) });
    const { id } = await runner.start(buildRequest(repo));
    expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
    expect(await outcomes(dataDir, id)).toEqual([
      "blocked data-dir",
      "blocked data-dir-key",
      "blocked other-build",
      "blocked work-root",
      "blocked app-directory",
      "blocked home",
      "blocked write-system",
      "blocked write-etc",
    ]);
    const log = await logLines(dataDir, id);
    expect(log).toContain("written");
    expect(log).toContain(`home=${SANDBOX_PATHS.home} src=${SANDBOX_PATHS.source} pwd=${SANDBOX_PATHS.source}`);
    // The other build's workspace is as it was, and this build's is gone (right after its end is reported).
    const left = [other.slice(workRoot.length + 1)];
    for (let tries = 0; tries < 100 && (await readdir(workRoot)).length > left.length; tries++) await sleep(20);
    expect(await readdir(workRoot)).toEqual(left);
  });

  test("sees only its own processes, and whatever it starts (in the background, or in a session of its own) ends with it", async () => {
    const marker = processMarker();
    const repo = await repository({
      "buildspec.yml": buildspec({
        build: [
          `echo processes $(ls /proc | grep -c '^[0-9]')`,
          attempt("app-environment", `cat /proc/${process.pid}/environ | grep -q NODE`),
          `setsid bash -c "exec -a ${marker} sleep 600" &`,
          `(exec -a ${marker} sleep 600) &`,
          `nohup bash -c "exec -a ${marker} sleep 600" >/dev/null 2>&1 &`,
          "sleep 0.2",
        ],
      }),
    });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
    expect(await outcomes(dataDir, id)).toEqual(["blocked app-environment"]);
    // bwrap's init, the shell, the command's subshell, ls and grep: nothing of the machine's.
    const processes = Number((await logLines(dataDir, id)).find((line) => line.startsWith("processes "))?.split(" ")[1]);
    expect(processes).toBeLessThan(10);
    expect(markedProcesses(marker)).toEqual([]);
  });

  test("runs as a user of its own when the app runs as root (else as the app's user), whom its tools can look up", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo uid=$(id -u) user=$(id -un) home=$(getent passwd $(id -u) | cut -d: -f6)"] }) });
    const { runner, dataDir } = await localRunner();
    const builds = await Promise.all([runner.start(buildRequest(repo)), runner.start(buildRequest(repo))]);
    const uids: number[] = [];
    for (const { id } of builds) {
      expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
      const line = (await logLines(dataDir, id)).find((l) => l.startsWith("uid="))!;
      uids.push(Number(/^uid=(\d+)/.exec(line)![1]));
      if (asRoot) expect(line).toMatch(new RegExp(`user=build home=${SANDBOX_PATHS.home}$`));
    }
    if (asRoot) {
      for (const uid of uids) expect(uid).toBeGreaterThanOrEqual(BUILD_UIDS.first);
      expect(uids[0]).not.toBe(uids[1]);
    } else {
      expect(uids).toEqual([process.getuid!(), process.getuid!()]);
    }
  });

  test("cannot read another running build's environment, even knowing its processes' ids on this machine", async () => {
    const canary = `canary-${randomUUID()}`;
    const marker = processMarker();
    const victim = await repository({ "buildspec.yml": buildspec({ build: [`(exec -a ${marker} sleep 30)`] }) });
    const { runner, dataDir } = await localRunner();
    const first = await runner.start(buildRequest(victim, { variables: [{ name: "DEPLOY_TOKEN", value: canary, type: "PLAINTEXT", source: "stored" }] }));
    await untilMarked(marker, 1);
    const pids = markedProcesses(marker);
    expect(pids.length).toBeGreaterThan(0);
    // The victim's own environment does hold the secret, as seen from outside its sandbox.
    if (asRoot) expect(execFileSync("cat", [`/proc/${pids[0]}/environ`]).toString()).toContain(canary);

    const attacker = await repository({
      "buildspec.yml": buildspec({
        build: [
          ...pids.map((pid) => attempt(`environ-of-${pid}`, `grep -qa ${canary} /proc/${pid}/environ`)),
          attempt("any-environ", `cat /proc/[0-9]*/environ | grep -qa ${canary}`),
          attempt("signal-it", `kill -0 ${pids[0]}`),
        ],
      }),
    });
    const second = await runner.start(buildRequest(attacker));
    expect((await waitForBuild(runner, second.id)).status).toBe("SUCCEEDED");
    expect(await outcomes(dataDir, second.id)).toEqual([...pids.map((pid) => `blocked environ-of-${pid}`), "blocked any-environ", "blocked signal-it"]);
    await runner.stop(first.id);
    expect((await waitForBuild(runner, first.id)).status).toBe("STOPPED");
  });

  test("keeps the network: builds install packages", async () => {
    const server: Server = createServer((socket) => socket.end("hello from the network\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const repo = await repository({ "buildspec.yml": buildspec({ build: [`exec 5<>/dev/tcp/127.0.0.1/${port}; cat <&5`] }) });
      const { runner, dataDir } = await localRunner();
      const { id } = await runner.start(buildRequest(repo));
      expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
      expect(await logLines(dataDir, id)).toContain("hello from the network");
    } finally {
      server.close();
    }
  });

  test("covers the app's paths that lie within what it sees (a key file, a directory), as it covers the rest", async () => {
    // Node.js installed in a home (nvm): its directory is shown to builds, and the app's files there are not.
    const prefix = await temporaryDirectory();
    await mkdir(join(prefix, "bin"));
    await mkdir(join(prefix, "app-data"));
    await writeFile(join(prefix, "app-data", "file"), "secret\n");
    await writeFile(join(prefix, "key.pem"), "-----BEGIN PRIVATE KEY-----\n");
    await writeFile(join(prefix, "shown.txt"), "shown\n");
    // Readable by all, as an installed Node.js is, whatever this process's umask.
    for (const path of ["", "bin", "app-data"]) await chmod(join(prefix, path), 0o755);
    for (const path of ["app-data/file", "key.pem", "shown.txt"]) await chmod(join(prefix, path), 0o644);
    // The app's data in its directory (DATA_DIR's default, ./.data) is covered with it.
    const view = await machineView([join(prefix, "app-data", "file"), join(prefix, "app-data"), join(prefix, "key.pem")], prefix);
    expect(view.hiddenDirectories).toEqual([join(prefix, "app-data")]);
    expect(view.hiddenFiles).toEqual([join(prefix, "key.pem")]);
    const workRoot = await workDirectory();
    const bwrap = execFileSync("bash", ["-c", "command -v bwrap"]).toString().trim();
    const repo = await repository({
      "buildspec.yml": buildspec({
        build: [
          `cat ${prefix}/shown.txt`,
          attempt("hidden-directory", `cat ${prefix}/app-data/file`),
          attempt("hidden-file", `grep -q PRIVATE ${prefix}/key.pem`),
        ],
      }),
    });
    const { runner, dataDir } = await localRunner({ workRoot, sandbox: new Bubblewrap(bwrap, view, asRoot ? new BuildUids() : undefined) });
    const { id } = await runner.start(buildRequest(repo));
    expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
    expect(await logLines(dataDir, id)).toContain("shown");
    expect(await outcomes(dataDir, id)).toEqual(["blocked hidden-directory", "blocked hidden-file"]);
  });
});

describe("bwrap's arguments", () => {
  const view: MachineView = {
    mounts: [
      { kind: "directory", path: "/usr" },
      { kind: "symlink", path: "/bin", target: "usr/bin" },
      { kind: "directory", path: "/etc" },
      { kind: "file", path: "/run/systemd/resolve/stub-resolv.conf" },
    ],
    hiddenDirectories: ["/etc/codebuild-checks"],
    hiddenFiles: ["/etc/app-key.pem"],
  };

  test("namespaces of its own but the network's, killed with the app, its /tmp, the system read-only, the app's paths covered after it, then the workspace", () => {
    expect(bubblewrapArguments(view, "/tmp/codebuild-checks-abc123", { ownUser: true })).toEqual([
      ...["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-cgroup-try", "--die-with-parent", "--new-session"],
      ...["--bind", "/tmp/codebuild-checks-abc123/tmp", "/tmp"],
      ...["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--ro-bind", "/etc", "/etc"],
      ...["--ro-bind", "/run/systemd/resolve/stub-resolv.conf", "/run/systemd/resolve/stub-resolv.conf"],
      ...["--tmpfs", "/etc/codebuild-checks", "--remount-ro", "/etc/codebuild-checks", "--ro-bind", "/dev/null", "/etc/app-key.pem"],
      ...["--proc", "/proc", "--dev", "/dev"],
      ...["--ro-bind", "/tmp/codebuild-checks-abc123/passwd", "/etc/passwd", "--ro-bind", "/tmp/codebuild-checks-abc123/group", "/etc/group"],
      ...["--bind", "/tmp/codebuild-checks-abc123/src", "/codebuild/output/src"],
      ...["--bind", "/tmp/codebuild-checks-abc123/home", "/codebuild/home"],
      ...["--symlink", "../tmp", "/var/tmp"],
      ...["--ro-bind", "/tmp/codebuild-checks-abc123/buildspec.sh", "/codebuild/buildspec.sh"],
      ...["--chdir", "/codebuild/output/src"],
      ...["--", "bash", "--noprofile", "--norc", "/codebuild/buildspec.sh"],
    ]);
  });

  test("a build as the app's own user keeps the machine's user database", () => {
    expect(bubblewrapArguments(view, "/w", { ownUser: false })).not.toContain("/etc/passwd");
  });

  test("the machine's view shows system directories and the Node.js that runs the app, never homes, /srv, /var or /tmp", async () => {
    const seen = await machineView([]);
    const shown = seen.mounts.map((mount) => mount.path);
    expect(shown).toContain("/usr");
    expect(shown).toContain("/etc");
    for (const path of shown) expect(path).not.toMatch(/^\/(home|root|srv|var|tmp|data)(\/|$)/);
  });
});

describe("opening the sandbox at start-up", () => {
  test("without bwrap on PATH, one line says what to install and the way out", async () => {
    const empty = await temporaryDirectory();
    const opened = await openBubblewrap({ hidden: [], workRoot: await workDirectory(), searchPath: empty, appUid: process.getuid?.() });
    expect(opened).toEqual({ ok: false, problem: BUBBLEWRAP_MISSING });
    expect(BUBBLEWRAP_MISSING).toMatch(/apt-get install bubblewrap.*LOCAL_ISOLATION=none/);
    expect(BUBBLEWRAP_MISSING).not.toContain("\n");
  });

  test("where the kernel refuses user namespaces, one line says so with bwrap's own words", async () => {
    const tools = await temporaryDirectory();
    await chmod(tools, 0o755);
    await writeFile(
      join(tools, "bwrap"),
      "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.' >&2\nexit 1\n",
    );
    await chmod(join(tools, "bwrap"), 0o755);
    const opened = await openBubblewrap({ hidden: [], workRoot: await workDirectory(), searchPath: tools, appUid: process.getuid?.() });
    expect(opened.ok).toBe(false);
    const { problem } = opened as { problem: string };
    expect(problem).toMatch(
      /^bubblewrap cannot make a sandbox on this machine \(bwrap: No permissions to creating new namespace, .*\): it needs unprivileged user namespaces/,
    );
    expect(problem).toContain("LOCAL_ISOLATION=none");
    expect(problem).not.toContain("\n");
  });

  test("as root, a work directory that builds' own users cannot reach is refused, naming it", async () => {
    const workRoot = await temporaryDirectory();
    await chmod(workRoot, 0o700);
    const opened = await openBubblewrap({ hidden: [], workRoot, searchPath: process.env.PATH, appUid: 0 });
    expect(opened).toEqual({ ok: false, problem: expect.stringContaining(`who cannot enter ${workRoot}`) });
  });
});
