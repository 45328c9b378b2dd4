import type { BuildSnapshot } from "../builds/runner.js";
import { formatDuration } from "./duration.js";
import { buildSeconds, buildStage, currentPhaseName, failingPhase } from "./phases.js";

/** How long a commit's abbreviated sha is where GitHub shows one. */
const SHORT_SHA_LENGTH = 7;

/**
 * The check run's title: the build's state, and how long it took once it has ended (SPEC 5);
 * a build stopped for a newer commit's (`cancel_in_progress`) names that commit instead.
 */
export function renderTitle(build: BuildSnapshot, supersededBy?: string): string {
  if (build.status === "IN_PROGRESS") {
    const stage = buildStage(build);
    if (stage === "queued") return queuedTitle(build);
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
      return supersededBy === undefined ? `Build cancelled${after}` : `Cancelled — superseded by ${supersededBy.slice(0, SHORT_SHA_LENGTH)}`;
  }
}

/** A waiting phase that says why (the local runner's QUEUED: LOCAL_CONCURRENCY) puts it in the title. */
function queuedTitle(build: BuildSnapshot): string {
  const phase = currentPhaseName(build);
  const reason = build.phases.find((p) => p.name === phase)?.messages[0];
  return reason === undefined ? "Queued" : `Queued — ${reason}`;
}
