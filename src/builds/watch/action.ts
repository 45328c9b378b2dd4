import type { BuildDeployment, DeploymentStatus } from "../../deployments/deployment.js";
import type { CheckConclusion } from "../../checks/conclusion.js";
import type { AddMaskState } from "../../variables/add-masks.js";
import type { LogReadPriority } from "./log-read-schedule.js";
import type { LogLocation, MaskedLogLine } from "../build-log.js";
import type { BuildRecord } from "../build-record.js";
import type { CheckRunReport } from "./report.js";

/**
 * What the watcher's step asks its loop to do for one build, in order. The loop (src/workflows)
 * performs each through a port in one exhaustive switch, and tells the step how the ones that
 * answer went (see WatchObservation).
 *
 * A new effect of following a build is a new member here, emitted by the step and performed by the
 * loop's `perform`, which the compiler then makes handle it (`reportDeployment`: `onReported` sees a
 * build start, `recordCompletion` its end).
 */
export type WatchAction =
  /** Keep the record (status and snapshot, log cursor) in the table, with `addMasks` sealed in it. */
  | { kind: "storeRecord"; record: BuildRecord; addMasks: AddMaskState }
  /** Append a read's lines to the build's stored log; answered by `logStored` (or `logUnread`). */
  | { kind: "storeLog"; lines: MaskedLogLine[]; cursor: string | undefined; atEnd: boolean }
  /** Read the log from `cursor`, in turn with every other build's reads (LOGS_RPS); answered by `logRead` (or `logUnread`). */
  | { kind: "readLog"; location: LogLocation; cursor: string | undefined; priority: LogReadPriority }
  /** Report progress on the check run (coalesced by the check-run port); answered by `reportSent`, `reportFailed` or `reportDropped`. */
  | { kind: "updateCheckRun"; report: CheckRunReport }
  /** Complete the check run; answered by `reportSent` or `reportFailed`. */
  | { kind: "completeCheckRun"; report: CheckRunReport }
  /** The completion went: keep the record completed; answered by `completionRecorded` or `completionUnrecorded`. */
  | { kind: "recordCompletion"; record: BuildRecord; addMasks: AddMaskState; conclusion: CheckConclusion }
  /**
   * Send the build's deployment a status (SPEC 10): progress as the build starts, its end before the
   * completion is recorded (`final`, awaited: a build completed without it would never send it).
   */
  | { kind: "reportDeployment"; deployment: BuildDeployment; status: DeploymentStatus; final: boolean }
  /** Forget the build here: completed, or another replica watches it. */
  | { kind: "stopFollowing"; reason: "completed" | "heldElsewhere" };
