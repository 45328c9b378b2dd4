import { z } from "zod";
import type { Actor, MergeGroupTrigger, PullRequestTrigger, PushTrigger, RepositoryRef } from "../domain/trigger.js";
import { isBot } from "../builds/actors.js";
import type { RerunIntent } from "../builds/rerun-intent.js";
import { GRAMMAR, parseComment } from "../workflows/commands/registry.js";
import type { CommentIntent } from "../commands/intent.js";

/**
 * The few fields of GitHub's webhook payloads the app acts on. Parsing through these
 * schemas is the boundary: nothing else of a payload goes further, and a payload that
 * lacks them is refused here with zod's issues rather than failing deep inside.
 */
const repository = z.object({
  id: z.number().int(),
  name: z.string(),
  full_name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string(),
  private: z.boolean(),
  clone_url: z.string(),
});

const actor = z.object({ login: z.string(), id: z.number().int(), type: z.string() });

const installation = z.object({ id: z.number().int() });

const base = { repository, sender: actor, installation };

const commit = z.object({
  message: z.string(),
  added: z.array(z.string()).default([]),
  removed: z.array(z.string()).default([]),
  modified: z.array(z.string()).default([]),
});

/** GitHub lists at most 20 commits in a push payload (webhook events reference). */
export const PUSH_PAYLOAD_MAX_COMMITS = 20;

const push = z.object({
  ...base,
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  created: z.boolean(),
  deleted: z.boolean(),
  commits: z.array(commit).default([]),
  head_commit: commit.nullable().default(null),
});

const pullRequest = z.object({
  ...base,
  action: z.enum(["opened", "synchronize", "reopened", "closed"]),
  number: z.number().int(),
  pull_request: z.object({
    user: actor,
    head: z.object({ sha: z.string(), ref: z.string(), repo: z.object({ id: z.number().int() }).nullable() }),
    base: z.object({ ref: z.string(), repo: z.object({ id: z.number().int() }) }),
  }),
});

const mergeGroup = z.object({
  ...base,
  action: z.literal("checks_requested"),
  merge_group: z.object({ head_sha: z.string(), head_ref: z.string(), base_ref: z.string() }),
});

const issueComment = z.object({
  ...base,
  action: z.literal("created"),
  issue: z.object({ number: z.number().int(), pull_request: z.object({}).passthrough().optional() }),
  comment: z.object({ id: z.number().int(), body: z.string(), user: actor }),
});

/** A fork's check events list no pull requests, so nothing here relies on `pull_requests`. */
const madeBy = z.object({ id: z.number().int() }).nullable();

const checkRunRerequested = z.object({
  ...base,
  action: z.literal("rerequested"),
  check_run: z.object({ head_sha: z.string(), external_id: z.string().nullable(), app: madeBy }),
});

const checkSuiteRerequested = z.object({
  ...base,
  action: z.literal("rerequested"),
  check_suite: z.object({ id: z.number().int(), head_sha: z.string(), app: madeBy }),
});

export type PayloadResult<T> = { ok: true; trigger: T } | { ok: false; issues: string };

function toRepository(r: z.infer<typeof repository>): RepositoryRef {
  return {
    id: r.id,
    owner: r.owner.login,
    name: r.name,
    fullName: r.full_name,
    defaultBranch: r.default_branch,
    private: r.private,
    cloneUrl: r.clone_url,
  };
}

function toActor(a: z.infer<typeof actor>): Actor {
  return { login: a.login, id: a.id, type: a.type };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
}

export function pushTrigger(deliveryId: string, payload: unknown): PayloadResult<PushTrigger> {
  const parsed = push.safeParse(payload);
  if (!parsed.success) return { ok: false, issues: describe(parsed.error) };
  const p = parsed.data;
  const knowsEveryCommit = !p.created && p.commits.length < PUSH_PAYLOAD_MAX_COMMITS;
  const changed = new Set(p.commits.flatMap((c) => [...c.added, ...c.removed, ...c.modified]));
  return {
    ok: true,
    trigger: {
      kind: "push",
      deliveryId,
      installationId: p.installation.id,
      repository: toRepository(p.repository),
      sender: toActor(p.sender),
      ref: p.ref,
      before: p.before,
      after: p.after,
      created: p.created,
      deleted: p.deleted,
      headCommitMessage: p.head_commit?.message ?? null,
      changedFiles: knowsEveryCommit ? [...changed].sort() : null,
    },
  };
}

export function pullRequestTrigger(deliveryId: string, payload: unknown): PayloadResult<PullRequestTrigger> {
  const parsed = pullRequest.safeParse(payload);
  if (!parsed.success) return { ok: false, issues: describe(parsed.error) };
  const p = parsed.data;
  const pr = p.pull_request;
  return {
    ok: true,
    trigger: {
      kind: "pull_request",
      deliveryId,
      installationId: p.installation.id,
      repository: toRepository(p.repository),
      sender: toActor(p.sender),
      action: p.action,
      number: p.number,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      fromFork: pr.head.repo === null || pr.head.repo.id !== pr.base.repo.id,
      author: toActor(pr.user),
    },
  };
}

export function mergeGroupTrigger(deliveryId: string, payload: unknown): PayloadResult<MergeGroupTrigger> {
  const parsed = mergeGroup.safeParse(payload);
  if (!parsed.success) return { ok: false, issues: describe(parsed.error) };
  const p = parsed.data;
  return {
    ok: true,
    trigger: {
      kind: "merge_group",
      deliveryId,
      installationId: p.installation.id,
      repository: toRepository(p.repository),
      sender: toActor(p.sender),
      headSha: p.merge_group.head_sha,
      headRef: p.merge_group.head_ref,
      baseRef: p.merge_group.base_ref,
    },
  };
}

/**
 * A created comment's slash commands, parsed here so that only typed commands go further;
 * null when the comment holds none or a bot wrote it (this app included).
 */
export function commentIntent(deliveryId: string, payload: unknown): PayloadResult<CommentIntent | null> {
  const parsed = issueComment.safeParse(payload);
  if (!parsed.success) return { ok: false, issues: describe(parsed.error) };
  const p = parsed.data;
  if (isBot(toActor(p.comment.user))) return { ok: true, trigger: null };
  const { commands, tooMany } = parseComment(p.comment.body);
  if (commands.length === 0) return { ok: true, trigger: null };
  return {
    ok: true,
    trigger: {
      kind: "comment",
      deliveryId,
      installationId: p.installation.id,
      repository: toRepository(p.repository),
      sender: toActor(p.sender),
      issueNumber: p.issue.number,
      isPullRequest: p.issue.pull_request !== undefined,
      commentId: p.comment.id,
      commands,
      holdsSecret: commands.some((c) => GRAMMAR.carriesSecret(c.ok ? `/${c.command.verb}` : c.verb)) || (tooMany?.holdsSecret ?? false),
      ...(tooMany && { tooMany: tooMany.found }),
    },
  };
}

/**
 * A re-run of one check run, by its `external_id`; null for a run without one or without an app
 * (never one of this app's). Whether the app is this one is known at processing.
 */
export function checkRunRerunIntent(deliveryId: string, payload: unknown): PayloadResult<RerunIntent | null> {
  const parsed = checkRunRerequested.safeParse(payload);
  if (!parsed.success) return { ok: false, issues: describe(parsed.error) };
  const { external_id: externalId, app, head_sha: headSha } = parsed.data.check_run;
  if (!externalId || app === null) return { ok: true, trigger: null };
  return { ok: true, trigger: rerunIntent(deliveryId, parsed.data, { headSha, appId: app.id, externalIds: [externalId] }) };
}

/** A re-run of every check run of a suite; its runs are listed at processing. */
export function checkSuiteRerunIntent(deliveryId: string, payload: unknown): PayloadResult<RerunIntent | null> {
  const parsed = checkSuiteRerequested.safeParse(payload);
  if (!parsed.success) return { ok: false, issues: describe(parsed.error) };
  const { id, app, head_sha: headSha } = parsed.data.check_suite;
  if (app === null) return { ok: true, trigger: null };
  return { ok: true, trigger: rerunIntent(deliveryId, parsed.data, { headSha, appId: app.id, checkSuiteId: id }) };
}

/** What both re-run events share: who asked, where. */
function rerunIntent(
  deliveryId: string,
  p: { installation: { id: number }; repository: z.infer<typeof repository>; sender: z.infer<typeof actor> },
  what: Pick<RerunIntent, "headSha" | "appId" | "externalIds" | "checkSuiteId">,
): RerunIntent {
  return { kind: "rerun", deliveryId, installationId: p.installation.id, repository: toRepository(p.repository), sender: toActor(p.sender), ...what };
}
