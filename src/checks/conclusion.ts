import type { BuildSnapshot, BuildStatus } from "../domain/build.js";
import { buildStage } from "./phases.js";

/**
 * The conclusions GitHub accepts when a check run is completed ("Update a check run");
 * `stale` is left out because only GitHub may set it.
 */
export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required";

export type CheckStatus = "queued" | "in_progress" | "completed";

const CONCLUSION_OF: Record<Exclude<BuildStatus, "IN_PROGRESS">, CheckConclusion> = {
  SUCCEEDED: "success",
  FAILED: "failure",
  FAULT: "failure",
  TIMED_OUT: "timed_out",
  STOPPED: "cancelled",
};

/** The conclusion of a finished build (SPEC 5); null while it is still running. */
export function buildConclusion(status: BuildStatus): CheckConclusion | null {
  return status === "IN_PROGRESS" ? null : CONCLUSION_OF[status];
}

/** The check run's status: `queued` until CodeBuild leaves its queue, `completed` once the build ends. */
export function checkStatus(build: BuildSnapshot): CheckStatus {
  const stage = buildStage(build);
  if (stage === "finished") return "completed";
  return stage === "queued" ? "queued" : "in_progress";
}
