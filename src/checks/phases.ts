import type { BuildPhase, BuildSnapshot } from "../domain/build.js";
import { secondsBetween } from "./duration.js";

/** CodeBuild phases before a machine runs the build: the check run is still `queued`. */
const WAITING_PHASES = new Set(["SUBMITTED", "QUEUED"]);
/** Phases that prepare the machine and fetch the source, before the buildspec runs. */
const STARTING_PHASES = new Set(["PROVISIONING", "DOWNLOAD_SOURCE"]);
/** CodeBuild's marker after FINALIZING: it has no status and no duration. */
export const COMPLETED_PHASE = "COMPLETED";
/** Phase statuses that end a build unsuccessfully; phases also report CLIENT_ERROR. */
const FAILING_STATUSES = new Set(["FAILED", "FAULT", "TIMED_OUT", "CLIENT_ERROR"]);

/** Where a build is, in the words check runs use. */
export type BuildStage = "queued" | "starting" | "building" | "finished";

/** The phase the build is in: CodeBuild's `currentPhase`, else the last one reported. */
export function currentPhaseName(build: BuildSnapshot): string | undefined {
  return build.currentPhase ?? build.phases[build.phases.length - 1]?.name;
}

export function buildStage(build: BuildSnapshot): BuildStage {
  if (build.status !== "IN_PROGRESS") return "finished";
  const phase = currentPhaseName(build);
  if (phase === undefined || WAITING_PHASES.has(phase)) return "queued";
  if (STARTING_PHASES.has(phase)) return "starting";
  return "building";
}

/** The first phase that failed, faulted or timed out: where the build went wrong. */
export function failingPhase(build: BuildSnapshot): BuildPhase | undefined {
  return build.phases.find((phase) => phase.status !== undefined && FAILING_STATUSES.has(phase.status));
}

/** A phase of a running build that has not ended yet. */
export function isPhaseRunning(phase: BuildPhase, build: BuildSnapshot): boolean {
  return build.status === "IN_PROGRESS" && phase.endTime === undefined && (phase.status === undefined || phase.status === "IN_PROGRESS");
}

/** How long a phase took, or has taken so far while it runs; undefined when unknown. */
export function phaseSeconds(phase: BuildPhase, build: BuildSnapshot, now: Date): number | undefined {
  if (phase.durationSeconds !== undefined) return phase.durationSeconds;
  if (phase.startTime === undefined) return undefined;
  if (phase.endTime !== undefined) return secondsBetween(phase.startTime, phase.endTime);
  return isPhaseRunning(phase, build) ? secondsBetween(phase.startTime, now) : undefined;
}

/** How long a finished build took; undefined while it runs or when CodeBuild gave no times. */
export function buildSeconds(build: BuildSnapshot): number | undefined {
  return build.startTime && build.endTime ? secondsBetween(build.startTime, build.endTime) : undefined;
}
