import nock from "nock";
import { useStrictNock } from "../support/nock-strict.js";
import { ProbotOctokit } from "probot";
import { loadRepoConfig } from "../../src/config/load.js";
import type { ConfigResult, ProjectPolicy } from "../../src/config/parse.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/schema.js";

const API = "https://api.github.com";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const target = { owner: "octo", repo: "app", ref: SHA };
const policy: ProjectPolicy = { defaultProject: "builds", allowedProjects: ["builds", "team-*"] };

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

/** The repository's own file: read by the config plugin and, raw, by the loader. */
const serveOwnFile = (reply: { text: string } | { status: number }) => serveFile("octo/app", SHA, reply, 2);
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
      expect.objectContaining({ path: ["project"], line: 4, column: 10, message: expect.stringMatching(/^project "prod" is not allowed here/) }),
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
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toMatchObject({ forks: "ignore", log_lines: 20 });
  });

  test("problems in the owner's .github file have no line in this repository", async () => {
    serveOwnFile(NOT_FOUND);
    serveFile("octo/.github", null, { text: "log_lines: 0\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      { path: ["log_lines"], message: "log_lines must be at least 1, not 0" },
    ]);
  });

  test("_extends: the base's keys apply unless the file sets them; lines only for the file's keys", async () => {
    serveOwnFile({ text: "_extends: shared-config\nlog_lines: 5\ncheck_name: ''\n" });
    serveFile("octo/shared-config", null, { text: "log_lines: 99\nforks: sometimes\nenv:\n  SHARED: yes\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      { path: ["check_name"], message: "check_name must not be empty", line: 3, column: 13, endLine: 3, endColumn: 14 },
      { path: ["forks"], message: 'forks must be one of "require-approval", "build", "ignore", not the string "sometimes"' },
    ]);
  });

  test("_extends: a valid base merged with the file", async () => {
    serveOwnFile({ text: "_extends: other-org/settings:ci/codebuild.yml\nlog_lines: 5\n" });
    nock(API)
      .get("/repos/other-org/settings/contents/ci%2Fcodebuild.yml")
      .reply(200, "log_lines: 99\nforks: build\n", { "content-type": "text/plain; charset=utf-8" });
    expect(configOf(await loadRepoConfig(octokit(), target, policy))).toMatchObject({ log_lines: 5, forks: "build" });
  });

  test("`on` is read as a key by the config plugin too", async () => {
    serveOwnFile({ text: "_extends: shared-config\n" });
    serveFile("octo/shared-config", null, { text: "on:\n  push:\n    tags: ['v*']\n" });
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

  test("invalid YAML in the owner's .github file: a problem that names that file", async () => {
    serveOwnFile(NOT_FOUND);
    serveFile("octo/.github", null, { text: "a: 1\na: 2\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      {
        path: [],
        message: "Configuration could not be parsed from octo/.github:.github/codebuild.yml (invalid YAML): Map keys must be unique at line 2, column 1",
      },
    ]);
  });

  test("an _extends the config plugin cannot follow is a problem", async () => {
    serveOwnFile({ text: "_extends: not a repository!\n" });
    expect(problemsOf(await loadRepoConfig(octokit(), target, policy))).toEqual([
      { path: [], message: 'Invalid value "not a repository!" for _extends in octo/app:.github/codebuild.yml' },
    ]);
  });

  test.each<[string, () => void]>([
    ["the file", () => serveOwnFile({ status: 500 })],
    ["the owner's .github repository", () => {
      serveOwnFile(NOT_FOUND);
      serveFile("octo/.github", null, { status: 502 });
    }],
    ["an _extends base", () => {
      serveOwnFile({ text: "_extends: shared-config\n" });
      serveFile("octo/shared-config", null, { status: 503 });
    }],
  ])("a GitHub server error reading %s is thrown, not a config problem", async (_name, serve) => {
    serve();
    await expect(loadRepoConfig(octokit(), target, policy)).rejects.toMatchObject({ status: expect.any(Number) });
  });

  test("a server error on either read of the file is thrown, even when the other read succeeds", async () => {
    nock(API)
      .get("/repos/octo/app/contents/.github%2Fcodebuild.yml")
      .query({ ref: SHA })
      .reply(500, { message: "Server Error" })
      .get("/repos/octo/app/contents/.github%2Fcodebuild.yml")
      .query({ ref: SHA })
      .reply(200, "log_lines: 5\n", { "content-type": "text/plain; charset=utf-8" });
    await expect(loadRepoConfig(octokit(), target, policy)).rejects.toMatchObject({ status: 500 });
  });

  test("a 403 on the file is thrown too", async () => {
    serveFile("octo/app", SHA, { status: 403 }, 2);
    await expect(loadRepoConfig(octokit(), target, policy)).rejects.toMatchObject({ status: 403 });
  });
});
