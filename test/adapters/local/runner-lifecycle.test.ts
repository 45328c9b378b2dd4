import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { readBuildState, writeBuildState } from "../../../src/adapters/local/build-files.js";
import { endPhase, enterPhase, submittedBuild } from "../../../src/adapters/local/build-state.js";
import { processStartTicks } from "../../../src/adapters/local/process-group.js";
import { LocalRunner } from "../../../src/adapters/local/runner.js";
import type { BuildVariable } from "../../../src/domain/variables.js";
import {
  bubblewrap,
  buildRequest,
  buildspec,
  localRunner,
  logLines,
  phaseSummary,
  repository,
  silentLog,
  STORED_CLONE_URL,
  temporaryDirectory,
  testRepositories,
  waitForBuild,
  workDirectory,
} from "./local-build-fixtures.js";
import { markedProcesses, processMarker, untilMarked } from "../../support/processes.js";

const TOKEN = "ghs_Installation0Token0For0Tests0000000";
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");

/** Whether a process of the group still runs: zombies left to an init that does not reap them do not count. */
function groupExists(pgid: number): boolean {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .some((pid) => {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        return false;
      }
      const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return group === String(pgid) && state !== "Z";
    });
}

describe("LocalRunner: the build's environment", () => {
  const variable = (name: string, value: string, type: BuildVariable["type"] = "PLAINTEXT"): BuildVariable => ({ name, value, type, source: "stored" });

  afterEach(() => delete process.env.APP_ONLY_SETTING);

  test("a build sees its variables, its secrets' values and the buildspec's, never the app's environment", async () => {
    process.env.APP_ONLY_SETTING = "the app's own value";
    const repo = await repository({
      "buildspec.yml": buildspec({ build: ["env | sort"] }, "env:\n  variables:\n    SPEC_ONLY: from the buildspec\n    OVERRIDDEN: from the buildspec"),
    });
    const secrets: Record<string, string> = { "codebuild-checks/1/all/API_KEY": "the secret value" };
    const { runner, dataDir } = await localRunner({ secretValue: async (name) => secrets[name] });
    const { id } = await runner.start(
      buildRequest(repo, {
        variables: [
          variable("PLAIN", "plain value"),
          variable("OVERRIDDEN", "from the build"),
          variable("API_KEY", "codebuild-checks/1/all/API_KEY", "SECRETS_MANAGER"),
        ],
      }),
    );
    expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
    const log = await logLines(dataDir, id);
    expect(log).toEqual(
      expect.arrayContaining([
        "PLAIN=plain value",
        "API_KEY=the secret value",
        "OVERRIDDEN=from the build",
        "SPEC_ONLY=from the buildspec",
        "CI=true",
        `CODEBUILD_BUILD_ID=${id}`,
        `CODEBUILD_RESOLVED_SOURCE_VERSION=${repo.sha}`,
        "CODEBUILD_BUILD_SUCCEEDING=1",
      ]),
    );
    expect(log.some((line) => line.startsWith("CODEBUILD_SRC_DIR=/"))).toBe(true);
    expect(log.join("\n")).not.toContain("APP_ONLY_SETTING");
  });

  test("a secret that does not exist fails DOWNLOAD_SOURCE, naming it", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) });
    const { runner } = await localRunner();
    const { id } = await runner.start(buildRequest(repo, { variables: [variable("API_KEY", "codebuild-checks/1/all/API_KEY", "SECRETS_MANAGER")] }));
    const build = await waitForBuild(runner, id);
    expect(phaseSummary(build)).toEqual(["SUBMITTED SUCCEEDED", "DOWNLOAD_SOURCE FAILED", "COMPLETED"]);
    expect(build.phases[1]!.messages).toEqual(["There is no secret codebuild-checks/1/all/API_KEY for variable API_KEY: store it again with /secret set"]);
  });

  test("the installation token reaches the fetch only: not git's arguments, not .git/config, not the build", async () => {
    const tools = await temporaryDirectory();
    const record = join(tools, "git-calls.txt");
    const recorder = join(tools, "git");
    await writeFile(
      recorder,
      `#!/bin/bash\nprintf 'argv %s\\n' "$*" >> '${record}'\nprintf 'header %s\\n' "\${GIT_CONFIG_VALUE_0-}" >> '${record}'\nexec '${await realGit()}' "$@"\n`,
    );
    await chmod(recorder, 0o755);
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["env", "cat .git/config", "git config --list --show-origin"] }) });
    const asked: unknown[] = [];
    const { runner, dataDir } = await localRunner({
      git: recorder,
      source: async (repository) => {
        asked.push(repository);
        return { cloneUrl: repo.url, token: TOKEN };
      },
    });
    const request = buildRequest(repo);
    const { id } = await runner.start(request);
    expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");

    const calls = (await readFile(record, "utf8")).replace(/\n$/, "").split("\n");
    const argv = calls.filter((line) => line.startsWith("argv "));
    expect(argv).toEqual([
      "argv init --quiet",
      `argv fetch --quiet --no-tags --no-recurse-submodules --depth 1 ${repo.url} ${repo.sha}`,
      "argv -c advice.detachedHead=false checkout --quiet --detach FETCH_HEAD",
      "argv rev-parse HEAD",
    ]);
    // The header goes to the fetch, and to no other git command.
    expect(calls.filter((line) => line.startsWith("header "))).toEqual(["header ", `header Authorization: Basic ${BASIC}`, "header ", "header "]);
    // Where to fetch from is asked of GitHub by the repository's id: the request's stored URL is never used.
    expect(asked).toEqual([{ installationId: 7, repositoryId: request.repositoryId }]);
    expect(calls.join("\n")).not.toContain(STORED_CLONE_URL);
    const log = (await logLines(dataDir, id)).join("\n");
    expect(log).toContain("[core]");
    expect(log).toContain("CI=true");
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(BASIC);
    expect(log).not.toContain("GIT_CONFIG");
    expect(log).not.toMatch(/extraheader/i);
  });

  test("a failed fetch says why without the token", async () => {
    const { runner } = await localRunner({ source: async () => ({ cloneUrl: "file:///nonexistent/repository", token: TOKEN }) });
    const { id } = await runner.start(buildRequest({ url: "file:///nonexistent/repository", sha: "a".repeat(40) }));
    const build = await waitForBuild(runner, id);
    expect(build.phases[1]).toMatchObject({ name: "DOWNLOAD_SOURCE", status: "FAILED" });
    expect(build.phases[1]!.messages[0]).toMatch(/^Could not fetch a{40} from file:\/\/\/nonexistent\/repository: .*nonexistent/s);
    expect(JSON.stringify(build)).not.toContain(TOKEN);
  });
});

describe("LocalRunner: stopping, timing out, and the app restarting", () => {
  test("stop() ends every process of the build, background and setsid ones included, and it reports STOPPED", async () => {
    const marker = processMarker();
    const repo = await repository({
      "buildspec.yml": buildspec({
        build: [`(exec -a ${marker} sleep 30) &`, `setsid bash -c "exec -a ${marker} sleep 30" &`, `(exec -a ${marker} sleep 30)`],
        post_build: ["echo post"],
      }),
    });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    await untilMarked(marker, 3);

    await runner.stop(id);
    const build = await waitForBuild(runner, id);
    expect(build.status).toBe("STOPPED");
    expect(phaseSummary(build).slice(4)).toEqual(["BUILD STOPPED", "COMPLETED"]);
    expect(markedProcesses(marker)).toEqual([]);
    expect(await logLines(dataDir, id)).not.toContain("post");
    // Stopping a build that has ended changes nothing.
    await runner.stop(id);
    expect((await runner.get([id]))[0]!.status).toBe("STOPPED");
  });

  test("a build that ignores SIGTERM is killed after the grace period", async () => {
    const marker = processMarker();
    const ignoring = "trap '' TERM; while true; do sleep 0.05 || true; done";
    const repo = await repository({ "buildspec.yml": buildspec({ build: [`bash -c "${ignoring}" ${marker} & ${ignoring}`] }) });
    const { runner } = await localRunner({ stopGraceMs: 300 });
    const { id } = await runner.start(buildRequest(repo));
    await untilMarked(marker, 1);
    const stoppedAt = Date.now();
    await runner.stop(id);
    expect((await waitForBuild(runner, id)).status).toBe("STOPPED");
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(300);
    expect(markedProcesses(marker)).toEqual([]);
  });

  test("stop() of a build no one knows is an error", async () => {
    const { runner } = await localRunner();
    await expect(runner.stop("local:00000000-0000-4000-8000-000000000000")).rejects.toThrow(
      "There is no local build local:00000000-0000-4000-8000-000000000000 to stop",
    );
  });

  test("a build past its timeout is killed and reports TIMED_OUT", async () => {
    const marker = processMarker();
    const repo = await repository({ "buildspec.yml": buildspec({ build: [`(exec -a ${marker} sleep 30)`] }) });
    // Long enough for the checkout on a busy machine: the build must be in BUILD when time runs out.
    const { runner } = await localRunner({ timeoutMs: 3_000 });
    const { id } = await runner.start(buildRequest(repo));
    await untilMarked(marker, 1);
    const build = await waitForBuild(runner, id, undefined, 15_000);
    expect(build.status).toBe("TIMED_OUT");
    expect(phaseSummary(build).slice(4)).toEqual(["BUILD TIMED_OUT", "COMPLETED"]);
    expect(build.phases[4]!.messages[0]).toMatch(/^Build timed out after/);
    expect(markedProcesses(marker)).toEqual([]);
  });

  test("after a restart, a finished build reads as it ended, its log included", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hello"] }) });
    const { runner, dataDir, workRoot } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const ended = await waitForBuild(runner, id);

    const restarted = new LocalRunner({
      dataDir,
      workRoot,
      sandbox: await bubblewrap(workRoot),
      source: testRepositories,
      secretValue: async () => undefined,
      concurrency: 1,
      log: silentLog,
    });
    expect(await restarted.get([id, "local:00000000-0000-4000-8000-000000000000", "not-a-local-id"])).toEqual([ended]);
    expect(await logLines(dataDir, id)).toContain("hello");
  });

  test("an app killed mid-build: the build's processes die with it, and the next one reports the build as FAULT and removes its workspace", async () => {
    const marker = processMarker();
    const repo = await repository({ "buildspec.yml": buildspec({ build: [`(exec -a ${marker} sleep 30)`] }) });
    const dataDir = await temporaryDirectory();
    const workRoot = await workDirectory();
    const script = fileURLToPath(new URL("./build-in-another-process.ts", import.meta.url));
    const app = spawn(process.execPath, ["--import", "tsx", script, dataDir, workRoot, repo.url, repo.sha], { stdio: ["ignore", "pipe", "inherit"] });
    const [started] = (await once(app.stdout!, "data")) as [Buffer];
    const id = started
      .toString()
      .trim()
      .replace(/^started /, "");
    await untilMarked(marker, 1);
    // The app dies once it has written down that the build is in BUILD, and its sandbox's process.
    for (let tries = 0; tries < 200; tries++) {
      const state = await readBuildState(dataDir, id);
      if (state?.process && state.phases.some((phase) => phase.name === "BUILD")) break;
      await sleep(20);
    }
    app.kill("SIGKILL");
    await once(app, "exit");
    for (let tries = 0; tries < 100 && markedProcesses(marker).length > 0; tries++) await sleep(20);
    expect(markedProcesses(marker)).toEqual([]);

    const { runner } = await localRunner({ dataDir, workRoot });
    const [build] = await runner.get([id]);
    expect(build!.status).toBe("FAULT");
    expect(phaseSummary(build!).slice(4)).toEqual(["BUILD FAULT", "COMPLETED"]);
    expect(await readdir(workRoot)).toEqual([]);
  });

  test("after a restart, a build that was running reports FAULT, and what was left of it is ended and removed", async () => {
    const dataDir = await temporaryDirectory();
    const workRoot = await workDirectory();
    const workspace = await mkdtemp(join(workRoot, "codebuild-checks-"));
    await mkdir(join(workspace, "src"));
    // What an app that died mid-build without a sandbox leaves: a state in progress, and a shell still running in a group of its own.
    const shell = spawn("bash", ["-c", "sleep 30 & sleep 30"], { detached: true, stdio: "ignore" });
    await once(shell, "spawn");
    const pid = shell.pid!;
    const at = new Date("2025-11-25T14:20:00Z");
    const id = "local:6f1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70";
    const building = enterPhase(endPhase(submittedBuild(id, at), "SUCCEEDED", at), "BUILD", at);
    await writeBuildState(dataDir, { ...building, process: { pid, startTicks: await processStartTicks(pid) }, workspace });

    const { runner } = await localRunner({ dataDir, workRoot, now: () => Date.parse("2025-11-25T14:21:00Z") });
    const [build] = await runner.get([id]);
    expect(build!.status).toBe("FAULT");
    expect(phaseSummary(build!).slice(2)).toEqual(["BUILD FAULT", "COMPLETED"]);
    expect(build!.phases[2]!.messages[0]).toMatch(/^The app restarted during the build/);
    expect(build!.phases[2]!.durationSeconds).toBe(60);
    expect(build!.endTime).toEqual(new Date("2025-11-25T14:21:00Z"));
    for (let tries = 0; tries < 50 && groupExists(pid); tries++) await sleep(20);
    expect(groupExists(pid)).toBe(false);
    await expect(stat(workspace)).rejects.toThrow("ENOENT");
    expect((await logLines(dataDir, id)).some((line) => line.endsWith("Phase complete: BUILD State: FAULT"))).toBe(true);
    // Written down: the next read finds the same.
    expect((await readBuildState(dataDir, id))?.status).toBe("FAULT");
    expect(await runner.get([id])).toEqual([build]);
  });

  test("a build's state is input: a workspace it names outside the work root is never removed, and a damaged state is no build", async () => {
    const dataDir = await temporaryDirectory();
    const elsewhere = await temporaryDirectory();
    const id = "local:8b1d2c3b-4a59-4e87-9d10-2b3c4d5e6f72";
    await writeBuildState(dataDir, { ...submittedBuild(id, new Date()), workspace: elsewhere });
    const { runner } = await localRunner({ dataDir });
    expect((await runner.get([id]))[0]!.status).toBe("FAULT");
    await expect(stat(elsewhere)).resolves.toBeDefined();

    const damaged = "local:9c1d2c3b-4a59-4e87-9d10-2b3c4d5e6f73";
    await writeBuildState(dataDir, submittedBuild(damaged, new Date()));
    await writeFile(
      join(dataDir, "builds", damaged.slice("local:".length), "build.json"),
      JSON.stringify({ id: damaged, status: "IN_PROGRESS", process: { pid: 1 } }),
    );
    await expect(runner.get([damaged])).resolves.toEqual([]);
  });

  test("a recorded process id that now belongs to another process is left alone", async () => {
    const dataDir = await temporaryDirectory();
    const other = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    await once(other, "spawn");
    try {
      const id = "local:7a1d2c3b-4a59-4e87-9d10-2b3c4d5e6f71";
      await writeBuildState(dataDir, { ...submittedBuild(id, new Date()), process: { pid: other.pid!, startTicks: "1" } });
      const { runner } = await localRunner({ dataDir });
      expect((await runner.get([id]))[0]!.status).toBe("FAULT");
      expect(groupExists(other.pid!)).toBe(true);
    } finally {
      process.kill(-other.pid!, "SIGKILL");
    }
  });

  test("close() ends the running builds as FAULT: no one would follow them", async () => {
    const marker = processMarker();
    const repo = await repository({ "buildspec.yml": buildspec({ build: [`(exec -a ${marker} sleep 30)`] }) });
    const { runner } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    await untilMarked(marker, 1);
    await runner.close();
    const [build] = await runner.get([id]);
    expect(build!.status).toBe("FAULT");
    expect(build!.phases[4]!.messages).toEqual(["The app stopped during the build, which ended it. Run it again."]);
    expect(markedProcesses(marker)).toEqual([]);
  });
});

async function realGit(): Promise<string> {
  const { execFileSync } = await import("node:child_process");
  return execFileSync("bash", ["-c", "command -v git"]).toString().trim();
}
