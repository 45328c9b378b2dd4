import { chmod, readdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { StartBuildError } from "../../../src/domain/build.js";
import { sourceRootsFromLog } from "../../../src/checks/annotations/repository-path.js";
import { Bubblewrap } from "../../../src/adapters/local/sandbox/bubblewrap.js";
import { machineView } from "../../../src/adapters/local/sandbox/machine-view.js";
import { Unsandboxed } from "../../../src/adapters/local/sandbox/unsandboxed.js";
import {
  buildRequest,
  buildspec,
  localRunner,
  logLines,
  phaseSummary,
  repository,
  temporaryDirectory,
  waitForBuild,
  workDirectory,
} from "./local-build-fixtures.js";

describe("LocalRunner: a build's phases", () => {
  test("a build that succeeds reports CodeBuild's phases, and its log reads like CodeBuild's", async () => {
    const repo = await repository({
      "buildspec.yml": buildspec({
        install: ["PACKAGE_MANAGER=npm", "cd sub"],
        pre_build: ['echo "pre_build in $(basename "$PWD") with $PACKAGE_MANAGER"'],
        build: ["cat hello.txt"],
        post_build: ["echo done"],
      }),
      "sub/hello.txt": "hello from the repository\n",
    });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    expect(id).toMatch(/^local:[0-9a-f-]{36}$/);

    const build = await waitForBuild(runner, id);
    expect(build.status).toBe("SUCCEEDED");
    expect(phaseSummary(build)).toEqual([
      "SUBMITTED SUCCEEDED",
      "DOWNLOAD_SOURCE SUCCEEDED",
      "INSTALL SUCCEEDED",
      "PRE_BUILD SUCCEEDED",
      "BUILD SUCCEEDED",
      "POST_BUILD SUCCEEDED",
      "COMPLETED",
    ]);
    expect(build.currentPhase).toBe("COMPLETED");
    expect(build.endTime).toBeInstanceOf(Date);
    expect(build.phases.every((phase) => phase.name === "COMPLETED" || phase.durationSeconds !== undefined)).toBe(true);
    expect(build.logs).toEqual({ groupName: "local", streamName: id, s3Only: false });

    const log = await logLines(dataDir, id);
    // Shell variables and the working directory carry from one command to the next and across phases.
    expect(log).toContain("pre_build in sub with npm");
    expect(log).toContain("hello from the repository");
    expect(log.some((line) => /^\[Container\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} Entering phase BUILD$/.test(line))).toBe(true);
    expect(log.some((line) => line.endsWith("Running command cat hello.txt"))).toBe(true);
    expect(log.some((line) => line.endsWith("Phase complete: BUILD State: SUCCEEDED"))).toBe(true);
    // The annotations find the checkout where CodeBuild's agent announces it.
    expect(sourceRootsFromLog(log)).toHaveLength(1);
    expect(log.indexOf("hello from the repository")).toBeGreaterThan(log.findIndex((line) => line.endsWith("Entering phase BUILD")));
  });

  test("env.exported-variables are captured in the sandbox after POST_BUILD, kept with the build, and never printed in its log", async () => {
    const repo = await repository({
      "buildspec.yml": buildspec(
        { build: ["export DEPLOY_URL=https://early.example.com"], post_build: ['DEPLOY_URL="https://pr-$((6 * 7)).example.com/?from=$(basename "$PWD")"'] },
        "env:\n  exported-variables:\n    - DEPLOY_URL\n    - NOT_SET",
      ),
    });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);
    expect(build.status).toBe("SUCCEEDED");
    expect(build.exportedVariables).toEqual([{ name: "DEPLOY_URL", value: expect.stringMatching(/^https:\/\/pr-42\.example\.com\/\?from=/) }]);
    expect((await logLines(dataDir, id)).some((line) => line.includes("pr-42"))).toBe(false);
    // Read back from its file, as a restarted app reads it.
    const { runner: restarted } = await localRunner({ dataDir });
    expect((await restarted.get([id]))[0]?.exportedVariables).toEqual(build.exportedVariables);
  });

  test("a failing command fails PRE_BUILD, skips the rest of it, and BUILD and POST_BUILD do not run", async () => {
    const repo = await repository({
      "buildspec.yml": buildspec({
        pre_build: ["echo before", "exit_code() { return 3; }; exit_code", "echo skipped-command"],
        build: ["echo built"],
        post_build: ["echo post"],
      }),
    });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);

    expect(build.status).toBe("FAILED");
    expect(phaseSummary(build)).toEqual(["SUBMITTED SUCCEEDED", "DOWNLOAD_SOURCE SUCCEEDED", "INSTALL SUCCEEDED", "PRE_BUILD FAILED", "COMPLETED"]);
    expect(build.phases[3]!.messages).toEqual(["Error while executing command: exit_code() { return 3; }; exit_code. Reason: exit status 3"]);
    const log = await logLines(dataDir, id);
    expect(log).toContain("before");
    expect(log).not.toContain("skipped-command");
    expect(log).not.toContain("built");
    expect(
      log.some((line) =>
        line.endsWith(
          "Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: exit_code() { return 3; }; exit_code. Reason: exit status 3",
        ),
      ),
    ).toBe(true);
  });

  test("after a BUILD failure POST_BUILD still runs, and sees CODEBUILD_BUILD_SUCCEEDING=0", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["false"], post_build: ["echo post_build sees $CODEBUILD_BUILD_SUCCEEDING"] }) });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);

    expect(build.status).toBe("FAILED");
    expect(phaseSummary(build).slice(4)).toEqual(["BUILD FAILED", "POST_BUILD SUCCEEDED", "COMPLETED"]);
    expect(build.phases[4]!.messages).toEqual(["Error while executing command: false. Reason: exit status 1"]);
    expect(await logLines(dataDir, id)).toContain("post_build sees 0");
  });

  test("on-failure: CONTINUE goes on to the next phases; the build still fails", async () => {
    const repo = await repository({
      "buildspec.yml": [
        "version: 0.2",
        "phases:",
        "  install:",
        "    on-failure: CONTINUE",
        "    commands:",
        "      - false",
        "  build:",
        "    commands:",
        "      - echo still built",
        "",
      ].join("\n"),
    });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);

    expect(build.status).toBe("FAILED");
    expect(phaseSummary(build).slice(2)).toEqual(["INSTALL FAILED", "PRE_BUILD SUCCEEDED", "BUILD SUCCEEDED", "POST_BUILD SUCCEEDED", "COMPLETED"]);
    expect(await logLines(dataDir, id)).toContain("still built");
  });

  test("finally runs after a failed command; a failing finally command fails a phase whose commands passed", async () => {
    const repo = await repository({
      "buildspec.yml": [
        "version: 0.2",
        "phases:",
        "  install:",
        '    commands: ["false", "echo not run"]',
        '    finally: ["echo install finally", "echo and more"]',
        "",
      ].join("\n"),
    });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);
    expect(phaseSummary(build).slice(2)).toEqual(["INSTALL FAILED", "COMPLETED"]);
    const log = await logLines(dataDir, id);
    expect(log).toEqual(expect.arrayContaining(["install finally", "and more"]));
    expect(log).not.toContain("not run");

    const second = await repository({
      "buildspec.yml": [
        "version: 0.2",
        "phases:",
        "  build:",
        '    commands: ["echo ok"]',
        '    finally: ["exit_with() { return 4; }; exit_with", "echo after"]',
        "",
      ].join("\n"),
    });
    const { id: secondId } = await runner.start(buildRequest(second));
    const failedFinally = await waitForBuild(runner, secondId);
    expect(phaseSummary(failedFinally).slice(4)).toEqual(["BUILD FAILED", "POST_BUILD SUCCEEDED", "COMPLETED"]);
    expect(failedFinally.phases[4]!.messages[0]).toMatch(/Reason: exit status 4$/);
    expect(await logLines(dataDir, secondId)).not.toContain("after");
  });

  test("a command that ends the shell fails its phase, saying so", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo bye; exit 7"], post_build: ["echo post"] }) });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);

    expect(build.status).toBe("FAILED");
    expect(phaseSummary(build).slice(4)).toEqual(["BUILD FAILED", "COMPLETED"]);
    expect(build.phases[4]!.messages[0]).toBe(
      "Error while executing command: echo bye; exit 7. Reason: exit status 7 (the command ended the build's shell, so nothing after it ran)",
    );
    expect(await logLines(dataDir, id)).toContain("bye");
  });

  test("set -e in one command does not carry to the next", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["set -e", "false || echo recovered", "echo still here"] }) });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
    expect(await logLines(dataDir, id)).toEqual(expect.arrayContaining(["recovered", "still here"]));
  });

  test("the builtin node buildspec runs as written: its package manager carries from INSTALL to BUILD", async () => {
    const { readFile } = await import("node:fs/promises");
    const builtin = await readFile(new URL("../../../buildspecs/node.yml", import.meta.url), "utf8");
    const repo = await repository({ "package.json": JSON.stringify({ name: "demo", version: "1.0.0", scripts: { build: "echo building the demo" } }) });
    const { runner, dataDir } = await localRunner();
    const { id } = await runner.start(buildRequest(repo, { buildspec: builtin }));
    const build = await waitForBuild(runner, id, undefined, 30_000);
    const log = await logLines(dataDir, id);
    expect({ status: build.status, messages: build.phases.flatMap((p) => p.messages) }).toEqual({ status: "SUCCEEDED", messages: [] });
    expect(log).toEqual(expect.arrayContaining(["Installing dependencies with npm", "package.json has no test script: no tests to run", "building the demo"]));
  }, 30_000);
});

describe("LocalRunner: the source and the buildspec", () => {
  test.each([
    ["a commit that is not in the repository", { sourceVersion: `refs/heads/main^{${"0".repeat(40)}}` }, /^Could not fetch 0{40} from file:\/\/\S+: .+/],
    [
      "a buildspec path that the commit lacks",
      { buildspec: "ci/missing.yml" },
      /^YAML_FILE_ERROR: buildspec ci\/missing\.yml does not exist in the repository/,
    ],
    [
      "a buildspec path that leaves the repository through a link",
      { buildspec: "link.yml" },
      /^YAML_FILE_ERROR: buildspec link\.yml points outside the repository/,
    ],
  ])("%s fails DOWNLOAD_SOURCE with a message that says why", async (_case, changes, message) => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) }, { "link.yml": "/etc/hostname" });
    const { runner } = await localRunner();
    const { id } = await runner.start(buildRequest(repo, changes));
    const build = await waitForBuild(runner, id);

    expect(build.status).toBe("FAILED");
    expect(phaseSummary(build)).toEqual(["SUBMITTED SUCCEEDED", "DOWNLOAD_SOURCE FAILED", "COMPLETED"]);
    expect(build.phases[1]!.messages[0]).toMatch(message);
  });

  test("an invalid buildspec fails DOWNLOAD_SOURCE with every problem and its line", async () => {
    const repo = await repository({ "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands: echo\n  tests:\n    commands: [x]\n" });
    const { runner } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);
    expect(build.phases[1]!.messages).toEqual([
      "YAML_FILE_ERROR: buildspec buildspec.yml, line 4: phases.build.commands: must be a list of commands",
      'YAML_FILE_ERROR: buildspec buildspec.yml, line 5: unknown key "tests" in phases: the phases are install, pre_build, build and post_build',
    ]);
  });

  test("a buildspec given inline or as a path in the repository replaces buildspec.yml", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo root"] }), "ci/other.yml": buildspec({ build: ["echo from ci"] }) });
    const { runner, dataDir } = await localRunner();
    const inline = await runner.start(buildRequest(repo, { buildspec: buildspec({ build: ["echo inline"] }) }));
    const path = await runner.start(buildRequest(repo, { buildspec: "ci/other.yml" }));
    await Promise.all([waitForBuild(runner, inline.id), waitForBuild(runner, path.id)]);
    expect(await logLines(dataDir, inline.id)).toContain("inline");
    expect(await logLines(dataDir, path.id)).toContain("from ci");
  });

  test("a runner that cannot start the build's shell reports the build as FAULT, saying why", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) });
    const workRoot = await workDirectory();
    const view = await machineView([]);
    const { runner } = await localRunner({ workRoot, sandbox: new Bubblewrap("/nonexistent/bwrap", view, undefined) });
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);
    expect(build.status).toBe("FAULT");
    expect(phaseSummary(build).slice(1)).toEqual(["DOWNLOAD_SOURCE SUCCEEDED", "INSTALL FAULT", "COMPLETED"]);
    expect(build.phases[2]!.messages).toEqual(["The local runner failed: could not start the build's shell: spawn /nonexistent/bwrap ENOENT"]);
  });

  test("a build starts with CodeBuild's umask (022), not the app's (077, for DATA_DIR)", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo umask=$(umask)", "touch made && stat -c mode=%a made"] }) });
    const { runner, dataDir } = await localRunner();
    const appUmask = process.umask(0o077);
    try {
      const { id } = await runner.start(buildRequest(repo));
      expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
      expect(await logLines(dataDir, id)).toEqual(expect.arrayContaining(["umask=0022", "mode=644"]));
    } finally {
      process.umask(appUmask);
    }
  });

  test("the checkout is removed when the build ends", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) });
    const { runner, workRoot } = await localRunner();
    const { id } = await runner.start(buildRequest(repo));
    expect((await waitForBuild(runner, id)).status).toBe("SUCCEEDED");
    // Removed right after the end is reported.
    for (let tries = 0; tries < 100 && (await readdir(workRoot)).length > 0; tries++) await sleep(20);
    expect(await readdir(workRoot)).toEqual([]);
  });
});

describe("LocalRunner: trust and identity", () => {
  test.each([
    ["without the shared cache", { noCache: true }],
    ["with the untrusted role", { serviceRole: "arn:aws:iam::123456789012:role/untrusted" }],
  ])("an untrusted build (%s) is refused with a StartBuildError", async (_case, untrusted) => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) });
    const { runner, dataDir } = await localRunner();
    const error = await runner.start(buildRequest(repo, untrusted)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartBuildError);
    expect((error as StartBuildError).message).toContain("the local runner never builds untrusted code");
    await expect(readdir(dataDir)).resolves.toEqual([]);
  });

  test("a repeated idempotency token gets the same build", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) });
    const { runner } = await localRunner();
    const request = buildRequest(repo);
    const first = await runner.start(request);
    const second = await runner.start(request);
    expect(second).toEqual(first);
    await waitForBuild(runner, first.id);
  });

  test("LOCAL_ISOLATION=none: a build runs as nobody when the app runs as root, else as the app's user", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo uid=$(id -u)", "touch written-by-the-build"] }) });
    const workRoot = await workDirectory();
    const { runner, dataDir } = await localRunner({ sandbox: new Unsandboxed(workRoot), workRoot });
    const { id } = await runner.start(buildRequest(repo));
    const build = await waitForBuild(runner, id);
    const { execFileSync } = await import("node:child_process");
    const expected = process.getuid?.() === 0 ? execFileSync("id", ["-u", "nobody"]).toString().trim() : String(process.getuid?.());
    expect(build.status).toBe("SUCCEEDED");
    expect(await logLines(dataDir, id)).toContain(`uid=${expected}`);
  });

  test("LOCAL_ISOLATION=none: a build user who cannot reach the work directory refuses builds, saying which directory", async () => {
    const repo = await repository({ "buildspec.yml": buildspec({ build: ["echo hi"] }) });
    const workRoot = await temporaryDirectory();
    await chmod(workRoot, 0o700);
    const { runner } = await localRunner({ sandbox: new Unsandboxed(workRoot, { uid: 65534, gid: 65534, name: "nobody" }), workRoot });
    const error = await runner.start(buildRequest(repo)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartBuildError);
    expect((error as StartBuildError).message).toBe(
      `Builds run as the user nobody, who cannot enter ${workRoot}: let others search it (chmod o+x), or point TMPDIR at a directory that user can reach`,
    );
  });
});
