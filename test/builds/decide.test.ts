import { repoConfigSchema } from "../../src/config/schema.js";
import type { RepoConfig } from "../../src/config/schema.js";
import { configRef, decideBuild, needsAuthorPermission, needsChangedFiles } from "../../src/builds/decide.js";
import type { BuildDecision, DecisionFacts } from "../../src/builds/decide.js";
import type { Actor, MergeGroupTrigger, PullRequestTrigger, PushTrigger, RepositoryRef, Trigger } from "../../src/domain/trigger.js";

const SHA = "1111111111111111111111111111111111111111";
const OTHER_SHA = "2222222222222222222222222222222222222222";

const repository: RepositoryRef = {
  id: 42,
  owner: "octo",
  name: "app",
  fullName: "octo/app",
  defaultBranch: "main",
  private: false,
  cloneUrl: "https://github.com/octo/app.git",
};
const user: Actor = { login: "mona", id: 1, type: "User" };
const base = { deliveryId: "d-1", installationId: 9, repository, sender: user };

const push = (o: Partial<PushTrigger> = {}): PushTrigger => ({
  ...base,
  kind: "push",
  ref: "refs/heads/main",
  before: OTHER_SHA,
  after: SHA,
  created: false,
  deleted: false,
  headCommitMessage: "Fix the thing",
  changedFiles: null,
  ...o,
});

const pullRequest = (o: Partial<PullRequestTrigger> = {}): PullRequestTrigger => ({
  ...base,
  kind: "pull_request",
  action: "opened",
  number: 7,
  headSha: SHA,
  headRef: "feature/x",
  baseRef: "main",
  fromFork: false,
  author: user,
  ...o,
});

const fork = (o: Partial<PullRequestTrigger> = {}) => pullRequest({ fromFork: true, ...o });

const mergeGroup = (o: Partial<MergeGroupTrigger> = {}): MergeGroupTrigger => ({
  ...base,
  kind: "merge_group",
  headSha: SHA,
  headRef: "refs/heads/gh-readonly-queue/main/pr-7-abc",
  baseRef: "refs/heads/main",
  ...o,
});

const config = (file: unknown = {}): RepoConfig => repoConfigSchema.parse(file);
const facts = (o: Partial<DecisionFacts> = {}): DecisionFacts => ({
  untrustedRoleConfigured: true,
  changedFiles: null,
  ...o,
});

const decide = (trigger: Trigger, file: unknown = {}, f: Partial<DecisionFacts> = {}): BuildDecision => decideBuild(trigger, config(file), facts(f));

describe("push", () => {
  test.each<[string, Partial<PushTrigger>, unknown, Partial<BuildDecision> & Record<string, unknown>]>([
    [
      "the default branch builds for production by default",
      {},
      {},
      {
        kind: "build",
        plan: { sha: SHA, sourceVersion: `refs/heads/main^{${SHA}}`, environment: "production", branch: "main", trusted: true },
      },
    ],
    ["another branch is ignored by default", { ref: "refs/heads/feature/x" }, {}, { kind: "ignore" }],
    [
      "a branch matching on.push.branches builds for preview",
      { ref: "refs/heads/release/1.0" },
      { on: { push: { branches: ["main", "release/*"] } } },
      {
        kind: "build",
        plan: { sha: SHA, sourceVersion: `refs/heads/release/1.0^{${SHA}}`, environment: "preview", branch: "release/1.0", trusted: true },
      },
    ],
    ["* does not cross /", { ref: "refs/heads/release/1.0/fix" }, { on: { push: { branches: ["release/*"] } } }, { kind: "ignore" }],
    [
      "** crosses /",
      { ref: "refs/heads/release/1.0/fix" },
      { on: { push: { branches: ["release/**"] } } },
      { kind: "build", plan: expect.objectContaining({ branch: "release/1.0/fix", environment: "preview" }) },
    ],
    [
      "on.push.branches replaces the default branch",
      {},
      { on: { push: { branches: ["release/*"] } } },
      { kind: "ignore", reason: "branch main does not match on.push.branches" },
    ],
    ["an empty on.push.branches builds no branch", {}, { on: { push: { branches: [] } } }, { kind: "ignore" }],
    ["a negated branch pattern excludes", { ref: "refs/heads/wip/x" }, { on: { push: { branches: ["**", "!wip/**"] } } }, { kind: "ignore" }],
    ["a tag is ignored by default", { ref: "refs/tags/v1.0" }, {}, { kind: "ignore", reason: "tag v1.0 does not match on.push.tags" }],
    [
      "a tag matching on.push.tags builds for production",
      { ref: "refs/tags/v1.0" },
      { on: { push: { tags: ["v*"] } } },
      {
        kind: "build",
        plan: { sha: SHA, sourceVersion: `refs/tags/v1.0^{${SHA}}`, environment: "production", branch: "v1.0", trusted: true },
      },
    ],
    ["a tag not matching on.push.tags is ignored", { ref: "refs/tags/nightly" }, { on: { push: { tags: ["v*"] } } }, { kind: "ignore" }],
    ["a branch deletion is ignored", { deleted: true, after: "0".repeat(40) }, {}, { kind: "ignore" }],
    ["a tag deletion is ignored", { ref: "refs/tags/v1.0", deleted: true }, { on: { push: { tags: ["**"] } } }, { kind: "ignore" }],
    ["other refs are ignored", { ref: "refs/notes/commits" }, { on: { push: { branches: ["**"], tags: ["**"] } } }, { kind: "ignore" }],
  ])("%s", (_, trigger, file, expected) => {
    expect(decide(push(trigger), file)).toEqual(expect.objectContaining(expected));
  });

  test.each<[string | null, string | null]>([
    ["Fix it [skip ci]", "[skip ci]"],
    ["Fix it [ci skip]", "[ci skip]"],
    ["Fix it [skip codebuild]", "[skip codebuild]"],
    ["Docs only\n\nNothing to build here. [SKIP CI]", "[skip ci]"],
    ["[Ci Skip] typo", "[ci skip]"],
    ["skip ci without brackets", null],
    ["[skip-ci]", null],
    [null, null],
  ])("commit message %j skips with marker %j", (headCommitMessage, marker) => {
    const decision = decide(push({ headCommitMessage }));
    if (marker === null) {
      expect(decision.kind).toBe("build");
    } else {
      expect(decision).toMatchObject({ kind: "conclude", conclusion: "skipped" });
      expect(decision.kind === "conclude" && decision.title).toContain(marker);
      expect(decision.kind === "conclude" && decision.summary).toContain(`\`${marker}\``);
    }
  });

  test("a skip marker on a branch that is not built stays silent", () => {
    expect(decide(push({ ref: "refs/heads/other", headCommitMessage: "[skip ci]" })).kind).toBe("ignore");
  });
});

describe("paths filters", () => {
  type Expected = "build" | { title: string };
  const noMatch = { title: "No changed file matches on.paths" };
  const allIgnored = { title: "Every changed file matches on.paths_ignore" };

  test.each<[unknown, string[] | null, Expected]>([
    [{ paths: ["src/**"] }, ["src/a.ts"], "build"],
    [{ paths: ["src/**"] }, ["README.md", "src/deep/a.ts"], "build"],
    [{ paths: ["src/**"] }, ["README.md"], noMatch],
    [{ paths: ["src/**"] }, [], noMatch],
    [{ paths: ["src/**"] }, null, "build"],
    [{ paths: ["**", "!docs/**"] }, ["docs/a.md"], noMatch],
    [{ paths: ["**", "!docs/**"] }, ["docs/a.md", "package.json"], "build"],
    [{ paths: ["docs/**", "!docs/internal/**", "docs/internal/public.md"] }, ["docs/internal/public.md"], "build"],
    [{ paths: ["docs/**", "!docs/internal/**", "docs/internal/public.md"] }, ["docs/internal/secret.md"], noMatch],
    [{ paths: ["**/*.yml"] }, [".github/workflows/ci.yml"], "build"],
    [{ paths: ["*"] }, [".env"], "build"],
    [{ paths: ["*.md"] }, ["docs/a.md"], noMatch],
    [{ paths_ignore: ["**/*.md"] }, ["README.md", "docs/a.md"], allIgnored],
    [{ paths_ignore: ["**/*.md"] }, ["README.md", "src/a.ts"], "build"],
    [{ paths_ignore: ["docs/**", "!docs/api/**"] }, ["docs/api/x.md"], "build"],
    [{ paths_ignore: [".github/**"] }, [".github/dependabot.yml"], allIgnored],
    [{ paths: ["src/**"], paths_ignore: ["**/*.md"] }, ["src/README.md"], noMatch],
    [{ paths: ["src/**"], paths_ignore: ["**/*.md"] }, ["src/README.md", "src/a.ts"], "build"],
  ])("on %j with changes %j", (on, changedFiles, expected) => {
    for (const trigger of [push(), pullRequest()]) {
      const decision = decide(trigger, { on }, { changedFiles });
      if (expected === "build") {
        expect(decision.kind).toBe("build");
      } else {
        expect(decision).toMatchObject({ kind: "conclude", conclusion: "skipped", title: expected.title });
      }
    }
  });

  test("the summary says what was changed and where to change the filter", () => {
    const decision = decide(push(), { on: { paths: ["src/**"] } }, { changedFiles: ["a.md", "b.md"] });
    expect(decision.kind === "conclude" && decision.summary).toBe(
      "None of the 2 files changed by this push passes `on.paths` in .github/codebuild.yml, so no build was started. " +
        "Change those filters if changes like these should be built.",
    );
  });

  test("path filters do not apply to tag pushes, as in GitHub Actions", () => {
    const decision = decide(push({ ref: "refs/tags/v1.0" }), { on: { push: { tags: ["v*"] }, paths: ["src/**"] } }, { changedFiles: [] });
    expect(decision.kind).toBe("build");
  });

  test("path filters do not apply to merge groups", () => {
    expect(decide(mergeGroup(), { on: { paths: ["src/**"] } }, { changedFiles: [] }).kind).toBe("build");
  });

  test.each<[unknown, boolean]>([
    [{}, false],
    [{ on: { paths: ["src/**"] } }, true],
    [{ on: { paths_ignore: ["docs/**"] } }, true],
    [{ on: { push: { branches: ["**"] } } }, false],
  ])("needsChangedFiles(a branch push, %j) is %s", (file, expected) => {
    expect(needsChangedFiles(push(), config(file))).toBe(expected);
  });

  test.each<[string, Trigger, boolean]>([
    ["a pull request", pullRequest(), true],
    ["a tag push", push({ ref: "refs/tags/v1.0.0" }), false],
    ["a merge group", mergeGroup(), false],
  ])("with on.paths set, %s needs the changed files: %s", (_, trigger, expected) => {
    expect(needsChangedFiles(trigger, config({ on: { paths: ["src/**"] } }))).toBe(expected);
  });
});

describe("pull_request", () => {
  test.each<PullRequestTrigger["action"]>(["opened", "synchronize", "reopened"])("%s builds the head for preview", (action) => {
    expect(decide(pullRequest({ action }))).toEqual({
      kind: "build",
      plan: {
        sha: SHA,
        sourceVersion: `refs/pull/7/head^{${SHA}}`,
        environment: "preview",
        branch: "feature/x",
        baseBranch: "main",
        pullRequestNumber: 7,
        trusted: true,
      },
    });
  });

  test("closed is ignored", () => {
    expect(decide(pullRequest({ action: "closed" }))).toEqual({ kind: "ignore", reason: "pull request #7 was closed" });
  });

  test.each<[string, string[] | undefined, boolean]>([
    ["main", undefined, true],
    ["release/1.0/next", undefined, true],
    ["develop", ["main"], false],
    ["main", ["main"], true],
    ["release/1.0", ["release/*"], true],
    ["release/1.0/next", ["release/*"], false],
    ["release/1.0/next", ["release/**"], true],
  ])("base branch %s with on.pull_request.branches %j builds: %s", (baseRef, branches, builds) => {
    const file = branches === undefined ? {} : { on: { pull_request: { branches } } };
    expect(decide(pullRequest({ baseRef }), file).kind).toBe(builds ? "build" : "ignore");
  });

  test("a base branch that does not match is ignored before anything else is asked of a fork", () => {
    const decision = decide(fork({ baseRef: "develop" }), { on: { pull_request: { branches: ["main"] } } }, { untrustedRoleConfigured: false });
    expect(decision.kind).toBe("ignore");
  });
});

describe("forks", () => {
  type Forks = "require-approval" | "build" | "ignore";
  type Expected = "ignore" | "untrusted build" | "needs role" | "needs approval";

  test.each<[Forks, boolean, DecisionFacts["authorPermission"], string | undefined, Expected]>([
    ["ignore", true, "admin", undefined, "ignore"],
    ["ignore", false, "none", undefined, "ignore"],
    ["build", false, "none", undefined, "needs role"],
    ["build", true, "none", undefined, "untrusted build"],
    ["build", true, undefined, undefined, "untrusted build"],
    ["require-approval", false, "admin", undefined, "needs role"],
    ["require-approval", false, "read", SHA, "needs role"],
    ["require-approval", true, "admin", undefined, "untrusted build"],
    ["require-approval", true, "write", undefined, "untrusted build"],
    ["require-approval", true, "read", undefined, "needs approval"],
    ["require-approval", true, "none", undefined, "needs approval"],
    ["require-approval", true, undefined, undefined, "needs approval"],
    ["require-approval", true, "read", SHA, "untrusted build"],
    ["require-approval", true, "none", SHA, "untrusted build"],
    ["require-approval", true, "read", OTHER_SHA, "needs approval"],
  ])("forks: %s, untrusted role: %s, author permission: %s, approved sha: %s → %s", (forks, role, authorPermission, approvedSha, expected) => {
    const decision = decide(fork(), { forks }, { untrustedRoleConfigured: role, authorPermission, approvedSha });
    switch (expected) {
      case "ignore":
        expect(decision.kind).toBe("ignore");
        break;
      case "untrusted build":
        expect(decision).toEqual({ kind: "build", plan: expect.objectContaining({ trusted: false, sha: SHA, pullRequestNumber: 7 }) });
        break;
      case "needs role":
        expect(decision).toMatchObject({ kind: "conclude", conclusion: "action_required", title: "Not built: code from a fork is untrusted" });
        break;
      case "needs approval":
        expect(decision).toMatchObject({ kind: "conclude", conclusion: "action_required", title: "Waiting for a maintainer to approve this build" });
        break;
    }
  });

  test("the approval summary gives the exact comment that starts the build", () => {
    const decision = decide(fork({ headSha: OTHER_SHA }), {}, { authorPermission: "read" });
    expect(decision.kind === "conclude" && decision.summary).toContain(`\n\`/build ${OTHER_SHA}\`\n`);
    expect(decision.kind === "conclude" && decision.summary).toContain("`mona` does not have write access");
  });

  test("the missing role is named for the operator", () => {
    const decision = decide(fork(), { forks: "build" }, { untrustedRoleConfigured: false });
    expect(decision.kind === "conclude" && decision.summary).toContain("must set `CODEBUILD_UNTRUSTED_ROLE`");
  });

  test("a fork whose changes the paths filter skips is skipped, not held for approval", () => {
    const decision = decide(fork(), { on: { paths: ["src/**"] } }, { authorPermission: "none", changedFiles: ["README.md"] });
    expect(decision).toMatchObject({ kind: "conclude", conclusion: "skipped" });
  });

  test.each<[string, Trigger, unknown, boolean]>([
    ["fork, require-approval", fork(), {}, true],
    ["fork, build", fork(), { forks: "build" }, false],
    ["fork, ignore", fork(), { forks: "ignore" }, false],
    ["fork, closed", fork({ action: "closed" }), {}, false],
    ["same repository", pullRequest(), {}, false],
    ["push", push(), {}, false],
    ["merge group", mergeGroup(), {}, false],
  ])("needsAuthorPermission: %s → %s", (_, trigger, file, expected) => {
    expect(needsAuthorPermission(trigger, config(file))).toBe(expected);
  });
});

describe("bots", () => {
  const dependabot: Actor = { login: "dependabot[bot]", id: 49699333, type: "Bot" };

  test.each<[string, Actor]>([
    ["type Bot", dependabot],
    ["a [bot] login", { login: "renovate[bot]", id: 2, type: "User" }],
    ["type Bot without the suffix", { login: "ci-machine", id: 3, type: "Bot" }],
  ])("a pull request by %s builds untrusted, without approval", (_, author) => {
    expect(decide(pullRequest({ author }), {}, { authorPermission: undefined })).toEqual({
      kind: "build",
      plan: expect.objectContaining({ trusted: false, branch: "feature/x" }),
    });
  });

  test("a user whose login merely contains bot is trusted", () => {
    expect(decide(pullRequest({ author: { login: "botany", id: 4, type: "User" } }))).toMatchObject({ plan: { trusted: true } });
  });

  test("without the untrusted role a bot's pull request is not built, and the run says why", () => {
    const decision = decide(pullRequest({ author: dependabot }), {}, { untrustedRoleConfigured: false });
    expect(decision).toMatchObject({ kind: "conclude", conclusion: "action_required", title: "Not built: code from a bot is untrusted" });
    expect(decision.kind === "conclude" && decision.summary).toContain("was opened by a bot");
  });
});

describe("bots: untrusted unless TRUSTED_BOTS lists them (SPEC 3, Trust)", () => {
  const renovate: Actor = { login: "renovate[bot]", id: 2, type: "Bot" };
  const everyBranch = { on: { push: { branches: ["**"], tags: ["v*"] } } };

  test.each<[string, Partial<PushTrigger>, boolean]>([
    ["to another branch: untrusted", { ref: "refs/heads/renovate/lodash-4.x" }, false],
    ["to a tag: untrusted", { ref: "refs/tags/v9.9.9" }, false],
    ["to the default branch: trusted", { ref: "refs/heads/main" }, true],
  ])("a bot's push %s", (_name, trigger, trusted) => {
    expect(decide(push({ sender: renovate, ...trigger }), everyBranch)).toMatchObject({ kind: "build", plan: { trusted } });
  });

  test("a bot's branch push without the untrusted role is not built, and the run says why", () => {
    const decision = decide(push({ sender: renovate, ref: "refs/heads/renovate/x" }), everyBranch, { untrustedRoleConfigured: false });
    expect(decision).toMatchObject({ kind: "conclude", conclusion: "action_required", title: "Not built: code from a bot is untrusted" });
    expect(decision.kind === "conclude" && decision.summary).toMatch(
      /^This push was made by a bot to a branch other than the default branch, so its code is untrusted/,
    );
    expect(decision.kind === "conclude" && decision.summary).toContain("TRUSTED_BOTS");
  });

  test("the local runner never builds a bot's branch push", () => {
    const decision = decide(push({ sender: renovate, ref: "refs/heads/renovate/x" }), everyBranch, { localRunner: true });
    expect(decision).toMatchObject({ kind: "conclude", conclusion: "action_required" });
    expect(decision.kind === "conclude" && decision.summary).toContain("RUNNER=local");
  });

  test.each<[string, string[]]>([
    ["by its login", ["renovate[bot]"]],
    ["whatever the case", ["Renovate[Bot]".toLowerCase()]],
  ])("a trusted bot's pushes and pull requests are trusted: %s", (_name, trustedBots) => {
    expect(decide(push({ sender: renovate, ref: "refs/heads/renovate/x" }), everyBranch, { trustedBots })).toMatchObject({ plan: { trusted: true } });
    expect(decide(pullRequest({ author: renovate }), {}, { trustedBots })).toMatchObject({ plan: { trusted: true } });
  });

  test("another bot stays untrusted when one bot is trusted; a fork is untrusted whoever opened it", () => {
    const trustedBots = ["dependabot[bot]"];
    expect(decide(push({ sender: renovate, ref: "refs/heads/renovate/x" }), everyBranch, { trustedBots })).toMatchObject({ plan: { trusted: false } });
    expect(decide(fork({ author: { login: "dependabot[bot]", id: 5, type: "Bot" } }), { forks: "build" }, { trustedBots })).toMatchObject({
      plan: { trusted: false },
    });
  });
});

describe("merge_group", () => {
  test("builds the head commit of the queue branch for preview", () => {
    expect(decide(mergeGroup())).toEqual({
      kind: "build",
      plan: {
        sha: SHA,
        sourceVersion: `refs/heads/gh-readonly-queue/main/pr-7-abc^{${SHA}}`,
        environment: "preview",
        branch: "gh-readonly-queue/main/pr-7-abc",
        trusted: true,
      },
    });
  });

  test.each<[string, string[], boolean]>([
    ["refs/heads/main", ["main"], true],
    ["refs/heads/main", ["release/*"], false],
    ["refs/heads/release/1.0", ["release/*"], true],
  ])("base %s with on.pull_request.branches %j builds: %s", (baseRef, branches, builds) => {
    expect(decide(mergeGroup({ baseRef }), { on: { pull_request: { branches } } }).kind).toBe(builds ? "build" : "ignore");
  });
});

describe("where the config is read (configRef)", () => {
  test.each<[string, Trigger, string]>([
    ["a push: the pushed commit", push({ after: OTHER_SHA }), OTHER_SHA],
    ["a pull request from a branch: its head", pullRequest({ headSha: OTHER_SHA }), OTHER_SHA],
    ["a fork's pull request: the base's default branch, never the fork's file", fork({ headSha: OTHER_SHA }), repository.defaultBranch],
    ["a merge group: its head", mergeGroup({ headSha: OTHER_SHA }), OTHER_SHA],
  ])("%s", (_, trigger, ref) => {
    expect(configRef(trigger)).toBe(ref);
  });
});
