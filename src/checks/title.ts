import type { BuildSnapshot } from "../domain/build.js";
import { formatDuration } from "./duration.js";
import { buildSeconds, buildStage, currentPhaseName, failingPhase } from "./phases.js";

/** How long a commit's abbreviated sha is where GitHub shows one. */
const SHORT_SHA_LENGTH = 7;

/** A commit's sha as GitHub abbreviates it. */
export function shortSha(sha: string): string {
  return sha.slice(0, SHORT_SHA_LENGTH);
}
/**
 * CodeBuild usually takes a build from SUBMITTED to PROVISIONING within seconds; one still waiting
 * after this is most likely held by the account's limit of concurrent builds, and the title says so.
 */
const LONG_QUEUE_MS = 2 * 60_000;

export interface TitleContext {
  /** When the title is rendered: a queued build's wait is counted to it. */
  now: Date;
  /** The commit whose build stopped this one (`cancel_in_progress`). */
  supersededBy?: string;
}

/**
 * The check run's title: the build's state, and how long it took once it has ended (SPEC 5);
 * a build stopped for a newer commit's (`cancel_in_progress`) names that commit instead.
 */
export function renderTitle(build: BuildSnapshot, { now, supersededBy }: TitleContext): string {
  if (build.status === "IN_PROGRESS") {
    const stage = buildStage(build);
    if (stage === "queued") return queuedTitle(build, now);
    if (stage === "starting") return "Starting";
    return `Building — ${currentPhaseName(build)} phase`;
  }
  const seconds = buildSeconds(build);
  const after = seconds === undefined ? "" : ` after ${formatDuration(seconds)}`;
  switch (build.status) {
    case "SUCCEEDED":
      return seconds === undefined ? "Build succeeded" : `Build succeeded in ${formatDuration(seconds)}`;
    case "FAILED":
    case "FAULT": {
      const phase = failingPhase(build);
      const where = phase === undefined ? "" : ` in ${phase.name}`;
      // A fault is CodeBuild's own error, not the build's: worth saying, since running it again may pass.
      return `Build failed${where}${after}${build.status === "FAULT" ? " (CodeBuild fault)" : ""}`;
    }
    case "TIMED_OUT":
      return `Build timed out${after}`;
    case "STOPPED":
      return supersededBy === undefined ? `Build cancelled${after}` : `Cancelled — superseded by ${shortSha(supersededBy)}`;
  }
}

/**
 * A waiting phase that says why (the local runner's QUEUED: LOCAL_CONCURRENCY) puts it in the title;
 * a CodeBuild build that has waited long says how long, and the likely cause.
 */
function queuedTitle(build: BuildSnapshot, now: Date): string {
  const phase = currentPhaseName(build);
  const reason = build.phases.find((p) => p.name === phase)?.messages[0];
  if (reason !== undefined) return `Queued — ${reason}`;
  const waitedMs = build.startTime ? now.getTime() - build.startTime.getTime() : 0;
  if (waitedMs < LONG_QUEUE_MS) return "Queued";
  return `Queued in CodeBuild for ${Math.floor(waitedMs / 60_000)}m — the account's concurrent-build limit?`;
}
