import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { buildEnvironment, BUILD_PATH } from "../../../src/adapters/local/build-environment.js";
import { resolveBuildUser, unreachableBy } from "../../../src/adapters/local/build-user.js";
import { fetchTarget } from "../../../src/adapters/local/git-source.js";
import { describeLocalRunner } from "../../../src/adapters/local/runner-setup.js";
import { UNSANDBOXED_WARNING, Unsandboxed } from "../../../src/adapters/local/sandbox/unsandboxed.js";
import { temporaryDirectory } from "./local-build-fixtures.js";

const NOBODY = { uid: 65534, gid: 65534, name: "nobody" };

describe("what the app says at start-up", () => {
  test("where and how builds run, how many at once, and that untrusted code is never built", () => {
    expect(
      describeLocalRunner({
        dataDir: "/srv/data",
        workRoot: "/tmp",
        isolation: "in a bubblewrap sandbox (/usr/bin/bwrap) as a user of its own",
        concurrency: 2,
      }),
    ).toEqual([
      "Builds run on this machine (RUNNER=local), each in a bubblewrap sandbox (/usr/bin/bwrap) as a user of its own; each buildspec runs with bash in a fresh checkout under /tmp; " +
        "at most 2 at once (LOCAL_CONCURRENCY), the others wait, queued; build states and logs are kept in /srv/data/builds",
      "The local runner never builds untrusted code (pull requests from forks or from bots): those are refused with a message on their check run",
    ]);
  });

  test("LOCAL_ISOLATION=none warns at every start that builds can read the app's keys and each other", () => {
    const warnings = new Unsandboxed("/tmp").warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(UNSANDBOXED_WARNING);
    expect(warnings[0]).toMatch(/can read the app's (private key|keys).*every other build/);
  });

  test("LOCAL_ISOLATION=none: a build user who cannot reach the work directory is looked for again once the operator has fixed it", async () => {
    const workRoot = await temporaryDirectory();
    const sandbox = new Unsandboxed(workRoot, NOBODY);
    await chmod(workRoot, 0o700);
    await expect(sandbox.userFor()).rejects.toThrow(`who cannot enter ${workRoot}`);
    await chmod(workRoot, 0o711);
    await expect(sandbox.userFor()).resolves.toEqual(NOBODY);
  });
});

describe("the build user", () => {
  test.each([
    ["one given is used", NOBODY, 0, NOBODY],
    ["none (null) means the app's user, even as root", null, 0, null],
    ["an app that is not root builds as itself", undefined, 1000, null],
  ])("%s", async (_case, configured, appUid, expected) => {
    await expect(resolveBuildUser(configured, appUid)).resolves.toEqual(expected);
  });

  test("an app running as root builds as nobody by default", async () => {
    const user = await resolveBuildUser(undefined, 0);
    expect(user).toMatchObject({ name: "nobody" });
    expect(user!.uid).not.toBe(0);
  });

  test("a directory the build user cannot enter is found on the way to the work directory", async () => {
    const root = await temporaryDirectory();
    await chmod(root, 0o755);
    const closed = join(root, "closed");
    await mkdir(join(closed, "work"), { recursive: true });
    // Whatever umask an earlier test file left this worker (embedded mode narrows it to 077).
    await chmod(join(closed, "work"), 0o755);
    await chmod(closed, 0o700);
    await expect(unreachableBy(join(closed, "work"), NOBODY)).resolves.toBe(closed);
    await chmod(closed, 0o711);
    await expect(unreachableBy(join(closed, "work"), NOBODY)).resolves.toBeUndefined();
  });
});

describe("what a build gets", () => {
  test.each([
    ["refs/heads/main^{1234567890abcdef1234567890abcdef12345678}", "1234567890abcdef1234567890abcdef12345678"],
    ["refs/pull/7/head^{1234567890abcdef1234567890abcdef12345678}", "1234567890abcdef1234567890abcdef12345678"],
    ["refs/tags/v1.0", "refs/tags/v1.0"],
    ["1234567890abcdef1234567890abcdef12345678", "1234567890abcdef1234567890abcdef12345678"],
  ])("the fetch of %s asks for %s", (sourceVersion, target) => {
    expect(fetchTarget(sourceVersion)).toBe(target);
  });

  test("the environment: a minimal base, the buildspec's variables, the build's over them, CodeBuild's own over all", () => {
    const env = buildEnvironment({
      buildspecVariables: { FROM_SPEC: "spec", SHARED: "spec", PATH: "/spec/bin" },
      variables: [
        { name: "SHARED", value: "build" },
        { name: "CODEBUILD_BUILD_ID", value: "forged" },
      ],
      home: "/w/home",
      sourceDirectory: "/w/src",
      buildId: "local:1",
      commit: "abc",
      sourceVersion: "refs/heads/main^{abc}",
      sourceLocation: "https://github.com/o/r.git",
      startTime: new Date(1_700_000_000_000),
    });
    expect(env).toEqual({
      PATH: "/spec/bin",
      HOME: "/w/home",
      LANG: "C.UTF-8",
      CI: "true",
      FROM_SPEC: "spec",
      SHARED: "build",
      CODEBUILD_BUILD_ID: "local:1",
      CODEBUILD_SRC_DIR: "/w/src",
      CODEBUILD_RESOLVED_SOURCE_VERSION: "abc",
      CODEBUILD_SOURCE_VERSION: "refs/heads/main^{abc}",
      CODEBUILD_SOURCE_REPO_URL: "https://github.com/o/r.git",
      CODEBUILD_START_TIME: "1700000000000",
    });
    expect(BUILD_PATH.split(":")[0]).toBe(process.execPath.replace(/\/node$/, ""));
  });
});
