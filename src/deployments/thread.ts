import type { MaskedText } from "../variables/masking.js";
import type { DeploymentState } from "./deployment.js";

/**
 * A pull request's deployments as its comment shows them: the app's record of what the comment
 * says, kept in the table so that any replica (or a restarted app) edits the one comment rather
 * than writing another.
 */

/** Commits a comment lists: the latest and this many before it (the oldest are dropped). */
export const THREAD_ENTRIES_MAX = 20;

/** One commit's deployment in a pull request's comment. */
export interface ThreadEntry {
  /** The app's id of the build (DEPLOYMENT_ID). */
  deploymentId: string;
  /** GitHub's id of the deployment. */
  githubDeploymentId: number;
  sha: string;
  state: DeploymentState;
  /** DEPLOY_URL, checked and masked, once the build succeeded with one. */
  url?: MaskedText;
  /** When the build was started: the latest commit is the latest build. */
  createdAt: string;
}

/** Which pull request a thread is of. */
export interface ThreadKey {
  repositoryId: number;
  pullRequest: number;
}

/** Someone about to create the comment: the others leave it to them while the claim is fresh. */
export interface CommentClaim {
  by: string;
  at: number;
}

export interface DeploymentThread extends ThreadKey {
  /** The comment that shows the thread, once created. */
  commentId?: number;
  commentClaim?: CommentClaim;
  /** Newest build first. */
  entries: ThreadEntry[];
  /** Counts the thread's writes: a write is made only over the version it read. */
  version: number;
}

export function emptyThread(key: ThreadKey): DeploymentThread {
  return { ...key, entries: [], version: 0 };
}

/**
 * The thread with `entry` in it: in place of its build's earlier state, or added by the time its
 * build started; the oldest beyond THREAD_ENTRIES_MAX dropped. A state never goes back (a late
 * progress report after the build's end changes nothing), and a URL once known stays.
 */
export function withEntry(thread: DeploymentThread, entry: ThreadEntry): DeploymentThread {
  const earlier = thread.entries.find((e) => e.deploymentId === entry.deploymentId);
  const merged = earlier ? mergedEntry(earlier, entry) : entry;
  const others = thread.entries.filter((e) => e.deploymentId !== entry.deploymentId);
  const entries = [...others, merged].sort((a, b) => (a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? 1 : -1)).slice(0, THREAD_ENTRIES_MAX);
  return { ...thread, entries };
}

/** The entries of earlier commits still shown live that a newer succeeded preview replaces (they go inactive). */
export function replacedBy(thread: DeploymentThread, entry: ThreadEntry): ThreadEntry[] {
  if (entry.state !== "success") return [];
  return thread.entries.filter((e) => e.deploymentId !== entry.deploymentId && e.createdAt <= entry.createdAt && e.state === "success");
}

/** The entries given, marked inactive. */
export function withInactive(thread: DeploymentThread, replaced: readonly ThreadEntry[]): DeploymentThread {
  const ids = new Set(replaced.map((e) => e.deploymentId));
  return { ...thread, entries: thread.entries.map((e) => (ids.has(e.deploymentId) ? { ...e, state: "inactive" as const } : e)) };
}

/** How far along a state is: later ones replace earlier ones, never the other way round. */
const STAGE: Record<DeploymentState, number> = { queued: 0, in_progress: 1, success: 2, failure: 2, error: 2, inactive: 3 };

function mergedEntry(earlier: ThreadEntry, later: ThreadEntry): ThreadEntry {
  const state = STAGE[later.state] >= STAGE[earlier.state] ? later.state : earlier.state;
  const url = later.url ?? earlier.url;
  return { ...earlier, state, ...(url !== undefined && { url }) };
}
