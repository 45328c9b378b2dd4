import type { RepoConfig } from "../config/schema.js";
import { CONFIG_PATH } from "../config/schema.js";
import { filesPassingPathFilters, matchesFilter } from "./globs.js";
import { untrustedOrigin, type UntrustedOrigin } from "./trust.js";
import type { BuildPlan, MergeGroupTrigger, PullRequestTrigger, PushTrigger, Trigger } from "../domain/trigger.js";

export interface DecisionFacts {
  /** CODEBUILD_UNTRUSTED_ROLE is configured: untrusted code may be built. */
  untrustedRoleConfigured: boolean;
  /** Builds run on the app's machine (RUNNER=local), which never builds untrusted code. */
  localRunner?: boolean;
  /** TRUSTED_BOTS, lower-cased: bots whose pull requests and pushes are trusted. */
  trustedBots?: readonly string[];
  /** Permission of a fork PR's author on the base repository, looked up only when forks=require-approval. */
  authorPermission?: "admin" | "write" | "read" | "none";
  /** A maintainer's `/build <sha>` approved exactly this head sha. */
  approvedSha?: string;
  /** Files changed by the push / pull request, or null when unknown (then paths filters do not apply). */
  changedFiles: string[] | null;
}

export type BuildDecision =
  /** Nothing shown on GitHub, only logged. */
  | { kind: "ignore"; reason: string }
  /** A completed check run and no build. */
  | { kind: "conclude"; conclusion: "skipped" | "action_required"; title: string; summary: string }
  | { kind: "build"; plan: BuildPlan };

type Conclusion = Extract<BuildDecision, { kind: "conclude" }>;

/** Commit-message markers that skip a push, as GitHub Actions reads them (plus our own). */
const SKIP_MARKERS = ["[skip ci]", "[ci skip]", "[skip codebuild]"] as const;

const BUILT_ACTIONS = new Set<PullRequestTrigger["action"]>(["opened", "synchronize", "reopened"]);

/**
 * Whether the decision needs the changed files: `on.paths` or `on.paths_ignore` is set and the
 * trigger is one they apply to (a branch push or a pull request; not tags or merge groups).
 */
export function needsChangedFiles(trigger: Trigger, config: RepoConfig): boolean {
  const filtered = trigger.kind === "pull_request" || (trigger.kind === "push" && trigger.ref.startsWith("refs/heads/"));
  return filtered && hasPathFilters(config);
}

function hasPathFilters(config: RepoConfig): boolean {
  return config.on.paths.length > 0 || config.on.paths_ignore.length > 0;
}

/** Whether the decision needs the permission of the pull request's author (a fork PR under require-approval). */
export function needsAuthorPermission(trigger: Trigger, config: RepoConfig): boolean {
  return trigger.kind === "pull_request" && BUILT_ACTIONS.has(trigger.action) && trigger.fromFork && config.forks === "require-approval";
}

/**
 * Where a trigger's `.github/codebuild.yml` is read: the built commit, or for a fork's pull request
 * the base repository's default branch (never the fork's file, which could name any project or
 * buildspec).
 */
export function configRef(trigger: Trigger): string {
  switch (trigger.kind) {
    case "push":
      return trigger.after;
    case "pull_request":
      return trigger.fromFork ? trigger.repository.defaultBranch : trigger.headSha;
    case "merge_group":
      return trigger.headSha;
  }
}

/** Whether a trigger builds, and with what (SPEC 4). */
export function decideBuild(trigger: Trigger, config: RepoConfig, facts: DecisionFacts): BuildDecision {
  switch (trigger.kind) {
    case "push":
      return decidePush(trigger, config, facts);
    case "pull_request":
      return decidePullRequest(trigger, config, facts);
    case "merge_group":
      return decideMergeGroup(trigger, config);
  }
}

function decidePush(trigger: PushTrigger, config: RepoConfig, facts: DecisionFacts): BuildDecision {
  if (trigger.deleted) return { kind: "ignore", reason: `${trigger.ref} was deleted` };
  const target = pushTarget(trigger, config);
  if ("reason" in target) return { kind: "ignore", reason: target.reason };

  const marker = skipMarker(trigger.headCommitMessage);
  if (marker) {
    return conclude(
      "skipped",
      `Build skipped: the commit message contains ${marker}`,
      `The message of the pushed commit contains \`${marker}\`, so this commit was not built. ` + `Push a commit without the marker to build it.`,
    );
  }
  // GitHub Actions does not evaluate path filters for tag pushes either.
  if (target.kind === "branch") {
    const filtered = pathsConclusion(config, facts.changedFiles, "push");
    if (filtered) return filtered;
  }

  const untrusted = untrustedOrigin(trigger, facts.trustedBots ?? []);
  if (untrusted && (facts.localRunner || !facts.untrustedRoleConfigured)) return untrustedWithoutRole(untrusted, "push", facts.localRunner ?? false);

  const production = target.kind === "tag" || target.name === trigger.repository.defaultBranch;
  return {
    kind: "build",
    plan: {
      sha: trigger.after,
      sourceVersion: `${trigger.ref}^{${trigger.after}}`,
      environment: production ? "production" : "preview",
      branch: target.name,
      trusted: untrusted === null,
    },
  };
}

type PushTarget = { kind: "branch" | "tag"; name: string } | { reason: string };

function pushTarget(trigger: PushTrigger, config: RepoConfig): PushTarget {
  const branch = stripPrefix(trigger.ref, "refs/heads/");
  if (branch !== null) {
    const { branches } = config.on.push;
    const matches = branches === undefined ? branch === trigger.repository.defaultBranch : matchesFilter(branch, branches);
    return matches
      ? { kind: "branch", name: branch }
      : {
          reason:
            branches === undefined
              ? `branch ${branch} is not the default branch and on.push.branches is not set`
              : `branch ${branch} does not match on.push.branches`,
        };
  }
  const tag = stripPrefix(trigger.ref, "refs/tags/");
  if (tag !== null) {
    return matchesFilter(tag, config.on.push.tags) ? { kind: "tag", name: tag } : { reason: `tag ${tag} does not match on.push.tags` };
  }
  return { reason: `${trigger.ref} is neither a branch nor a tag` };
}

function decidePullRequest(trigger: PullRequestTrigger, config: RepoConfig, facts: DecisionFacts): BuildDecision {
  const pr = `pull request #${trigger.number}`;
  if (!BUILT_ACTIONS.has(trigger.action)) return { kind: "ignore", reason: `${pr} was ${trigger.action}` };
  if (!matchesFilter(trigger.baseRef, config.on.pull_request.branches)) {
    return { kind: "ignore", reason: `base branch ${trigger.baseRef} of ${pr} does not match on.pull_request.branches` };
  }
  if (trigger.fromFork && config.forks === "ignore") {
    return { kind: "ignore", reason: `${pr} comes from a fork and forks is ignore` };
  }
  const filtered = pathsConclusion(config, facts.changedFiles, "pull request");
  if (filtered) return filtered;

  const untrusted = untrustedOrigin(trigger, facts.trustedBots ?? []);
  const trusted = untrusted === null;
  if (untrusted && (facts.localRunner || !facts.untrustedRoleConfigured)) return untrustedWithoutRole(untrusted, "pull request", facts.localRunner ?? false);
  if (trigger.fromFork && config.forks === "require-approval" && !approved(trigger, facts)) {
    return approvalNeeded(trigger);
  }

  return {
    kind: "build",
    plan: {
      sha: trigger.headSha,
      sourceVersion: `refs/pull/${trigger.number}/head^{${trigger.headSha}}`,
      environment: "preview",
      branch: trigger.headRef,
      baseBranch: trigger.baseRef,
      pullRequestNumber: trigger.number,
      trusted,
    },
  };
}

function decideMergeGroup(trigger: MergeGroupTrigger, config: RepoConfig): BuildDecision {
  const base = stripPrefix(trigger.baseRef, "refs/heads/") ?? trigger.baseRef;
  if (!matchesFilter(base, config.on.pull_request.branches)) {
    return { kind: "ignore", reason: `merge group for ${base} does not match on.pull_request.branches` };
  }
  const branch = stripPrefix(trigger.headRef, "refs/heads/") ?? trigger.headRef;
  return {
    kind: "build",
    plan: {
      sha: trigger.headSha,
      sourceVersion: `refs/heads/${branch}^{${trigger.headSha}}`,
      environment: "preview",
      branch,
      trusted: true,
    },
  };
}

function approved(trigger: PullRequestTrigger, facts: DecisionFacts): boolean {
  return facts.authorPermission === "admin" || facts.authorPermission === "write" || facts.approvedSha === trigger.headSha;
}

function skipMarker(message: string | null): string | null {
  const lower = (message ?? "").toLowerCase();
  return SKIP_MARKERS.find((marker) => lower.includes(marker)) ?? null;
}

/**
 * A skipped check run when no changed file passes the path filters. Completing one, rather than
 * showing nothing, keeps a required check from waiting forever.
 */
function pathsConclusion(config: RepoConfig, changedFiles: string[] | null, what: string): Conclusion | null {
  if (changedFiles === null || !hasPathFilters(config)) return null;
  const { paths, paths_ignore } = config.on;
  if (filesPassingPathFilters(changedFiles, paths, paths_ignore).length > 0) return null;

  const filters = [paths.length > 0 ? "`on.paths`" : null, paths_ignore.length > 0 ? "`on.paths_ignore`" : null].filter((f) => f !== null).join(" and ");
  const title = paths.length > 0 ? "No changed file matches on.paths" : "Every changed file matches on.paths_ignore";
  const count = changedFiles.length === 1 ? "the 1 file" : `the ${changedFiles.length} files`;
  return conclude(
    "skipped",
    title,
    `None of ${count} changed by this ${what} passes ${filters} in ${CONFIG_PATH}, so no build was started. ` +
      `Change those filters if changes like these should be built.`,
  );
}

function untrustedWithoutRole(why: UntrustedOrigin, what: "pull request" | "push", localRunner: boolean): Conclusion {
  const origin = why === "fork" ? "comes from a fork" : what === "push" ? "was made by a bot to a branch other than the default branch" : "was opened by a bot";
  const title = `Not built: code from ${why === "fork" ? "a fork" : "a bot"} is untrusted`;
  const trustedBots = why === "bot" ? " A bot the operator trusts can be listed in `TRUSTED_BOTS`." : "";
  if (localRunner) {
    return conclude(
      "action_required",
      title,
      `This ${what} ${origin}, so its code is untrusted, and this app runs builds on its own machine ` +
        `(\`RUNNER=local\`), where untrusted code is never built. Push the commit to a branch of this ` +
        `repository yourself, or ask the operator to build with CodeBuild and \`CODEBUILD_UNTRUSTED_ROLE\`.${trustedBots}`,
    );
  }
  return conclude(
    "action_required",
    title,
    `This ${what} ${origin}, so its code is untrusted: it may only be built with a service role ` +
      `that cannot read secrets, and none is configured. The operator of this app must set ` +
      `\`CODEBUILD_UNTRUSTED_ROLE\` to such a role to build ${what === "push" ? "pushes" : "pull requests"} like this one.${trustedBots}`,
  );
}

function approvalNeeded(trigger: PullRequestTrigger): Conclusion {
  const command = `/build ${trigger.headSha}`;
  return conclude(
    "action_required",
    "Waiting for a maintainer to approve this build",
    `This pull request comes from a fork and its author \`${trigger.author.login}\` does not have write access ` +
      `to this repository, so its code is built only once a maintainer has reviewed it. ` +
      `To build this commit, a maintainer comments:\n\n\`${command}\`\n\n` +
      `The approval is for this commit only: a new push needs a new approval.`,
  );
}

function conclude(conclusion: Conclusion["conclusion"], title: string, summary: string): Conclusion {
  return { kind: "conclude", conclusion, title, summary };
}

function stripPrefix(value: string, prefix: string): string | null {
  return value.startsWith(prefix) ? value.slice(prefix.length) : null;
}
