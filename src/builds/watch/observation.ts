import type { LogEvent } from "../build-log.js";
import type { BuildSnapshot } from "../../domain/build.js";
import type { CheckRunReport } from "./report.js";

/**
 * What the watcher's loop tells the step about one build (src/workflows: the loop reads, the step
 * decides). Each is answered by `watchStep` with the build's new state and what to do.
 */
export type WatchObservation =
  /** The watcher's round reached the build: read what is new in its log, report when due. */
  | { kind: "round" }
  /** Time passed (the end of a Lambda pass): a finished build's log deadlines, and a report when due; no new read. */
  | { kind: "tick" }
  /** The runner's report (BatchGetBuilds): status, phases, times, where the log is. */
  | { kind: "reported"; snapshot: BuildSnapshot }
  /** The values of the secrets that hide the build's text (secretsToMask), as read this round. */
  | { kind: "secrets"; values: readonly string[] }
  /** A newer commit's build stopped this one (`cancel_in_progress`): it completes titled so. */
  | { kind: "superseded"; by: string }
  /** A read of the log (`readLog`) gave these events; `cursor` is where the next read starts. */
  | { kind: "logRead"; events: readonly LogEvent[]; cursor: string | undefined; atEnd: boolean }
  /** The lines of a read are stored (`storeLog`): the cursor may move past them. */
  | { kind: "logStored"; lines: number; cursor: string | undefined; atEnd: boolean }
  /** A read did not happen or what it gave was not stored (its turn was refused, CloudWatch throttled, an error): the next round reads again. */
  | { kind: "logUnread" }
  /** GitHub has this report of the run (it may be a fresher rendering than the one handed over). */
  | { kind: "reportSent"; report: CheckRunReport }
  /** This report (as handed over) failed for good: the next one due goes again. */
  | { kind: "reportFailed"; report: CheckRunReport }
  /** This progress came after the run's completion went: it is not sent. */
  | { kind: "reportDropped" }
  /** The completion is recorded (`recordCompletion`), or recording it failed. */
  | { kind: "completionRecorded" }
  | { kind: "completionUnrecorded" }
  /** Another replica watches the build now. */
  | { kind: "heldElsewhere" };
