import nock from "nock";
import { useStrictNock } from "../support/nock-strict.js";
import { ProbotOctokit } from "probot";
import { loadRepoConfig } from "../../src/config/load.js";
import type { ConfigPolicy } from "../../src/config/load.js";
import type { ConfigResult } from "../../src/config/parse.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/schema.js";

const API = "https://api.github.com";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const target = { owner: "octo", repo: "app", ref: SHA };
/** As CONFIG_EXTENDS_ALLOWED=octo/shared-*,other-org/settings would allow. */
const policy: ConfigPolicy = { projects: ["builds", "team-web"], extendsAllowed: (fullName) => /^octo\/shared-|^other-org\/settings$/.test(fullName) };

function octokit() {
  return new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
}

/**
 * `.github/codebuild.yml` of `repo` as GitHub's contents API serves it with the raw media type;
 * `ref` null for a read of the default branch (the owner's `.github` repository, `_extends` bases).
 */
function serveFile(repo: string, ref: string | null, reply: { text: string } | { status: number }, times = 1) {
  const scope = nock(API)
    .get(`/repos/${repo}/contents/.github%2Fcodebuild.yml`)
    .query(ref === null ? {} : { ref })
    .matchHeader("accept", /application\/vnd\.github\.v3\.raw/)
    .times(times);
  return "text" in reply
    ? scope.reply(200, reply.text, { "content-type": "text/plain; charset=utf-8" })
    : scope.reply(reply.status, { message: reply.status === 404 ? "Not Found" : "Server Error" });
}

/** GET /repos/{owner}/{repo}, as the loader asks it for the visibility of a repository whose values it would use. */
function serveRepository(fullName: string, visibility: "public" | "private" | "internal", times = 1) {
  nock(API)
    .get(`/repos/${fullName}`)
    .times(times)
    .reply(200, { full_name: fullName, private: visibility !== "public", visibility });
}

/** The repository's own file, read once, raw, at the commit. */
const serveOwnFile = (reply: { text: string } | { status: number }) => serveFile("octo/app", SHA, reply);
const NOT_FOUND = { status: 404 };

function problemsOf(result: ConfigResult) {
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

function configOf(result: ConfigResult) {
  if (!result.ok) throw new Error(`expected a config, got ${JSON.stringify(result.problems)}`);
  return result.config;
}

useStrictNock();

describe("loadRepoConfig", () => {
  test("the repository's file at the ref", async () => {
    serveOwnFile({ text: "project: team-web\non:\n  push:\n    branches: [dev]\nenv:\n  A: 1\n" });
    const config = configOf(await loadRepoConfig(octokit(), target, policy));
    expect(config).toMatchObject({ project: "team-web", on: { push: { branches: ["dev"], tags: [] } }, env: { A: "1" } });
  });

  test("an invalid file: every problem, with its line", async () => {
    serveOwnFile({ text: "check_name: CI\nlog_lines: lots\nunknown_key: 1\nproject: prod\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      expect.objectContaining({ path: ["log_lines"], line: 2, column: 12 }),
      expect.objectContaining({ path: ["unknown_key"], line: 3, column: 1 }),
      expect.objectContaining({
        path: ["project"],
        line: 4,
        column: 10,
        message: expect.stringMatching(/^project "prod" is not one of this repository's projects/),
      }),
    ]);
  });

  test("no file anywhere: all defaults, with the default project", async () => {
    serveOwnFile(NOT_FOUND);
    serveFile("octo/.github", null, NOT_FOUND);
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toEqual({ ...DEFAULT_REPO_CONFIG, project: "builds" });
  });

  test("an empty file is all defaults, and the owner's .github repository is not read", async () => {
    serveOwnFile({ text: "# configured later\n" });
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toEqual({ ...DEFAULT_REPO_CONFIG, project: "builds" });
  });

  test("a file only in the owner's .github repository applies", async () => {
    serveOwnFile(NOT_FOUND);
    serveFile("octo/.github", null, { text: "forks: ignore\nlog_lines: 20\n" });
    serveRepository("octo/app", "public");
    serveRepository("octo/.github", "public");
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toMatchObject({ forks: "ignore", log_lines: 20 });
  });

  test("problems in the owner's .github file have no line in this repository", async () => {
    serveOwnFile(NOT_FOUND);
    serveFile("octo/.github", null, { text: "log_lines: 0\n" });
    serveRepository("octo/app", "private");
    serveRepository("octo/.github", "private");
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      { path: ["log_lines"], message: "log_lines must be at least 1 (set in a configuration this repository extends)" },
    ]);
  });

  test("_extends: the base's keys apply unless the file sets them; lines only for the file's keys", async () => {
    serveOwnFile({ text: "_extends: shared-config\nlog_lines: 5\ncheck_name: ''\n" });
    serveFile("octo/shared-config", null, { text: "log_lines: 99\nforks: sometimes\nenv:\n  SHARED: yes\n" });
    serveRepository("octo/app", "public");
    serveRepository("octo/shared-config", "public");
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      { path: ["check_name"], message: "check_name must not be empty", line: 3, column: 13, endLine: 3, endColumn: 14 },
      { path: ["forks"], message: 'forks must be one of "require-approval", "build", "ignore", not a string (set in a configuration this repository extends)' },
    ]);
  });

  test("_extends: a valid base merged with the file", async () => {
    serveOwnFile({ text: "_extends: other-org/settings:ci/codebuild.yml\nlog_lines: 5\n" });
    nock(API)
      .get("/repos/other-org/settings/contents/ci%2Fcodebuild.yml")
      .reply(200, "log_lines: 99\nforks: build\n", { "content-type": "text/plain; charset=utf-8" });
    serveRepository("octo/app", "private");
    serveRepository("other-org/settings", "internal");
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toMatchObject({ log_lines: 5, forks: "build" });
  });

  test("`on` is read as a key by the config plugin too", async () => {
    serveOwnFile({ text: "_extends: shared-config\n" });
    serveFile("octo/shared-config", null, { text: "on:\n  push:\n    tags: ['v*']\n" });
    serveRepository("octo/app", "public");
    serveRepository("octo/shared-config", "public");
    expect(configOf(await loadRepoConfig(octokit(), target, policy)).on.push.tags).toEqual(["v*"]);
  });

  test("invalid YAML in the file: the syntax errors with their lines", async () => {
    serveOwnFile({ text: "log_lines: 5\nlog_lines: 6\nenv:\n\tA: 1\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      expect.objectContaining({ line: 2, column: 1, message: 'duplicate key "log_lines": a key may appear only once in a mapping' }),
      expect.objectContaining({ line: 4, column: 1, message: "YAML syntax error: Tabs are not allowed as indentation" }),
    ]);
  });

  test("a top-level text in the file is a problem on line 1", async () => {
    serveOwnFile({ text: "just some text\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      expect.objectContaining({ path: [], line: 1, message: expect.stringMatching(/^the file must be a mapping/) }),
    ]);
  });

  test("invalid YAML in the owner's .github file: a problem that names that file, without quoting it", async () => {
    serveOwnFile(NOT_FOUND);
    serveFile("octo/.github", null, { text: "a: 1\na: 2\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      { path: [], message: '"octo/.github:.github/codebuild.yml" is not valid YAML' },
    ]);
  });

  test("an _extends that names no file is a problem on its line, and nothing is read for it", async () => {
    serveFile("octo/app", SHA, { text: "log_lines: 5\n_extends: not a repository!\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      expect.objectContaining({
        path: ["_extends"],
        line: 2,
        column: 11,
        message: '_extends "not a repository!" names no file: write repo, owner/repo or owner/repo:path.yml',
      }),
    ]);
  });

  test.each<[string, () => void]>([
    ["the file", () => serveFile("octo/app", SHA, { status: 500 })],
    [
      "the owner's .github repository",
      () => {
        serveOwnFile(NOT_FOUND);
        serveFile("octo/.github", null, { status: 502 });
      },
    ],
    [
      "an _extends base",
      () => {
        serveOwnFile({ text: "_extends: shared-config\n" });
        serveRepository("octo/app", "public");
        serveRepository("octo/shared-config", "public");
        serveFile("octo/shared-config", null, { status: 503 });
      },
    ],
  ])("a GitHub server error reading %s is thrown, not a config problem", async (_name, serve) => {
    serve();
    await expect(loadRepoConfig(octokit(), target, policy)).rejects.toMatchObject({ status: expect.any(Number) });
  });

  test("a 403 on the file is thrown too", async () => {
    serveFile("octo/app", SHA, { status: 403 });
    await expect(loadRepoConfig(octokit(), target, policy)).rejects.toMatchObject({ status: 403 });
  });
});

describe("_extends: merged as Probot merges, only from what the operator allows, never from a more private repository", () => {
  test("deep merge: the file's env adds to and overrides the base's, nested mappings merge, lists are concatenated", async () => {
    serveOwnFile({ text: "_extends: .github\nenv:\n  SHARED: own\n  MINE: '2'\non:\n  push:\n    branches: [develop]\n" });
    serveFile("octo/.github", null, {
      text: "env:\n  ORG_LEVEL: '1'\n  SHARED: base\nenvironments:\n  production:\n    env:\n      API: prod\non:\n  push:\n    branches: [main]\n",
    });
    serveRepository("octo/app", "public");
    serveRepository("octo/.github", "public");
    const config = configOf(await loadRepoConfig(octokit(), target, policy));
    expect(config.env).toEqual({ ORG_LEVEL: "1", SHARED: "own", MINE: "2" });
    expect(config.environments.production?.env).toEqual({ API: "prod" });
    expect(config.on.push.branches).toEqual(["main", "develop"]);
  });

  test("a chain of three files merges as Probot does: the furthest base first, lists concatenated in that order", async () => {
    serveOwnFile({ text: "_extends: .github\non:\n  push:\n    branches: [own]\nenv:\n  LEVEL: own\n" });
    serveFile("octo/.github", null, { text: "_extends: shared-base\non:\n  push:\n    branches: [org]\nenv:\n  LEVEL: org\n  ORG: '1'\n" });
    serveFile("octo/shared-base", null, { text: "on:\n  push:\n    branches: [shared]\nenv:\n  LEVEL: shared\n  SHARED: '1'\n" });
    serveRepository("octo/app", "private");
    serveRepository("octo/.github", "private");
    serveRepository("octo/shared-base", "private");
    const config = configOf(await loadRepoConfig(octokit(), target, { ...policy, extendsAllowed: (name) => name === "octo/shared-base" }));
    expect(config.on.push.branches).toEqual(["shared", "org", "own"]);
    expect(config.env).toEqual({ LEVEL: "own", ORG: "1", SHARED: "1" });
  });

  test("a base that does not exist is ignored, as Probot's plugin ignores it", async () => {
    serveOwnFile({ text: "_extends: shared-config\nlog_lines: 5\n" });
    serveRepository("octo/app", "public");
    serveRepository("octo/shared-config", "public");
    serveFile("octo/shared-config", null, NOT_FOUND);
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toMatchObject({ log_lines: 5 });
  });

  test("a chain that comes back to a file it read is a problem, and nothing is read twice", async () => {
    serveOwnFile({ text: "_extends: .github\n" });
    serveFile("octo/.github", null, { text: "_extends: app\n" });
    serveRepository("octo/app", "public");
    serveRepository("octo/.github", "public");
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      expect.objectContaining({ path: ["_extends"], line: 1, message: '"octo/.github:.github/codebuild.yml" extends a file that extends it back' }),
    ]);
  });

  test.each([
    [
      "the repository's own file",
      () =>
        nock(API)
          .get("/repos/octo/app/contents/.github%2Fcodebuild.yml")
          .query({ ref: SHA })
          .reply(200, [{ name: "x", type: "file" }]),
      ".github/codebuild.yml is a directory or a submodule, not a file",
    ],
    [
      "a base",
      () => {
        serveOwnFile({ text: "_extends: shared-config\n" });
        serveRepository("octo/app", "public");
        serveRepository("octo/shared-config", "public");
        nock(API)
          .get("/repos/octo/shared-config/contents/.github%2Fcodebuild.yml")
          .reply(200, [{ name: "x", type: "file" }]);
      },
      '"octo/shared-config:.github/codebuild.yml" is a directory or a submodule, not a file',
    ],
  ])("a directory where %s should be is a problem", async (_name, serve, message) => {
    serve();
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([expect.objectContaining({ message })]);
  });

  test("another file of the repository itself needs no allowance and no visibility check", async () => {
    serveOwnFile({ text: "_extends: app:ci/base.yml\nlog_lines: 5\n" });
    nock(API).get("/repos/octo/app/contents/ci%2Fbase.yml").reply(200, "forks: build\n", { "content-type": "text/plain; charset=utf-8" });
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toMatchObject({ log_lines: 5, forks: "build" });
  });

  test.each([
    ["a repository of the same owner", "_extends: private-config\n", "octo/private-config:.github/codebuild.yml"],
    ["another owner's repository", "_extends: someone/settings:ci.yml\n", "someone/settings:ci.yml"],
    ["another owner's .github", "_extends: someone/.github\n", "someone/.github:.github/codebuild.yml"],
  ])("%s outside CONFIG_EXTENDS_ALLOWED is refused on the _extends line, before anything of it is read", async (_name, text, named) => {
    serveFile("octo/app", SHA, { text: `log_lines: 5\n${text}` });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      expect.objectContaining({
        path: ["_extends"],
        line: 2,
        message: `_extends names "${named}": a configuration may extend only its owner's .github repository or a repository the app's operator lists in CONFIG_EXTENDS_ALLOWED`,
      }),
    ]);
  });

  test("a refused _extends is reported with the file's other problems", async () => {
    serveFile("octo/app", SHA, { text: "log_lines: 0\n_extends: elsewhere/x\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy)).map((p) => [p.path, p.line])).toEqual([
      [["log_lines"], 1],
      [["_extends"], 2],
    ]);
  });

  test.each<["public" | "internal" | "private", "public" | "internal" | "private", boolean]>([
    ["public", "private", false],
    ["public", "internal", false],
    ["internal", "private", false],
    ["public", "public", true],
    ["internal", "internal", true],
    ["private", "public", true],
    ["private", "private", true],
    ["private", "internal", true],
  ])("a %s repository extending a %s one: allowed %s (a refused base is never read)", async (repository, base, allowed) => {
    serveOwnFile({ text: "_extends: shared-values\nlog_lines: 5\n" });
    if (allowed) serveFile("octo/shared-values", null, { text: "check_name: Confidential-Build-Name\nenv:\n  TOKEN_HINT: not-for-the-public\n" });
    serveRepository("octo/app", repository);
    serveRepository("octo/shared-values", base);
    const result = await loadRepoConfig(octokit(), target, policy);
    if (allowed) {
      expect(configOf(result)).toMatchObject({ log_lines: 5, check_name: "Confidential-Build-Name" });
      return;
    }
    const problems = problemsOf(result);
    expect(problems).toEqual([expect.objectContaining({ path: ["_extends"], line: 1 })]);
    expect(problems[0]!.message).toMatch(
      new RegExp(`^"octo/shared-values:\\.github/codebuild\\.yml" is in a ${base}.* repository and this repository is ${repository}`),
    );
    expect(JSON.stringify(problems)).not.toMatch(/Confidential|not-for-the-public|TOKEN_HINT/);
  });

  test("a public repository without a file of its own does not take the owner's private .github configuration", async () => {
    serveOwnFile(NOT_FOUND);
    serveFile("octo/.github", null, { text: "forks: ignore\nenv:\n  INTERNAL_HOST: build.corp.example\n" });
    serveRepository("octo/app", "public");
    serveRepository("octo/.github", "private");
    const problems = problemsOf(await loadRepoConfig(octokit(), target, policy));
    expect(problems).toEqual([
      {
        path: [],
        message: `"octo/.github:.github/codebuild.yml" is in a private repository and this repository is public: its values would show in this repository's check runs and build logs. Put what this repository needs in its own .github/codebuild.yml`,
      },
    ]);
  });

  test.each([
    [
      "is not allowed",
      "other-org/hidden-config",
      "public",
      /extends another repository's configuration that is not the owner's \.github repository or a repository the app's operator lists in CONFIG_EXTENDS_ALLOWED$/,
    ],
    ["is more private", "octo/shared-hidden", "private", /extends another repository's configuration that is private, and this repository is public/],
  ])("a base's own _extends that %s is refused without naming it, and never read", async (_name, further, visibility, message) => {
    serveOwnFile({ text: "_extends: .github\n" });
    serveFile("octo/.github", null, { text: `_extends: ${further}\nlog_lines: 7\n` });
    serveRepository("octo/app", "public");
    serveRepository("octo/.github", "public");
    if (visibility === "private") serveRepository(further, "private");
    const problems = problemsOf(await loadRepoConfig(octokit(), target, policy));
    expect(problems).toEqual([expect.objectContaining({ path: ["_extends"], line: 1, message: expect.stringMatching(message) })]);
    expect(problems[0]!.message).toMatch(/^"octo\/\.github:\.github\/codebuild\.yml" extends/);
    expect(JSON.stringify(problems)).not.toMatch(/hidden|HIDDEN/);
  });

  test.each([
    ["invalid YAML", "a: 1\na: 2\n", "is not valid YAML"],
    ["an _extends that names no file", "_extends: 'private words!'\n", "has an _extends that names no file (write repo, owner/repo or owner/repo:path.yml)"],
  ])("an error in a file further along the chain is reported without naming or quoting it: %s", async (_name, text, meaning) => {
    serveOwnFile({ text: "_extends: .github\n" });
    serveFile("octo/.github", null, { text: "_extends: shared-deeper\n" });
    serveRepository("octo/app", "private");
    serveRepository("octo/.github", "private");
    serveRepository("octo/shared-deeper", "private");
    serveFile("octo/shared-deeper", null, { text });
    const problems = problemsOf(await loadRepoConfig(octokit(), target, policy));
    expect(problems).toEqual([
      expect.objectContaining({ path: ["_extends"], line: 1, message: `a configuration that "octo/.github:.github/codebuild.yml" extends ${meaning}` }),
    ]);
    expect(JSON.stringify(problems)).not.toMatch(/shared-deeper|private words/);
  });
});
