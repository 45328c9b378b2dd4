import { QUEUED_STATUS, type DeploymentState } from "../../deployments/deployment.js";
import { NO_ANNOTATIONS } from "../../checks/annotations/collector.js";
import type { AddMaskState } from "../../variables/add-masks.js";
import type { LogLocation } from "../build-log.js";
import type { BuildRecord, RecordedSnapshot } from "../build-record.js";
import type { SentCheckUpdate } from "./update-throttle.js";
import type { ReadLog } from "./log-intake.js";

/** What the watcher is told of how it reports. */
export interface WatchRules {
  /** CHECK_UPDATE_INTERVAL_MS: the least time between two progress reports of a run. */
  updateIntervalMs: number;
  /** The build's log page, which its check run links to. */
  logUrl: string;
}

/** Where reading a build's log stands, besides what was read (ReadLog). */
export interface LogProgress {
  /** When a read last returned lines (ms since the epoch). */
  lastOutputAt?: number;
  /** A read, or the storing of what it gave, is under way: reads of one build never overlap. */
  reading: boolean;
  /** Read to the end after the grace period, or there is nothing to read: a finished build may complete. */
  done: boolean;
}

/** Where the build's check run stands. */
export interface CheckRunProgress {
  /** The last report handed to the check-run port (its fingerprint and phase those of what went once it went): the throttle's memory. */
  claimed?: SentCheckUpdate;
  /** Annotations the run has on GitHub: each report appends the next ones. */
  annotationsSent: number;
  /**
   * Progress handed to the check-run port waits its turn: newer progress goes with it (the port asks
   * for the freshest content when its turn comes), so none is handed over meanwhile; a completion is.
   */
  progressWaiting: boolean;
  /** The completion went: the build is being recorded completed, or is to be again after that failed. */
  completion?: "recording" | "unrecorded";
}

/** One followed build, as the watcher's pure step sees it (src/builds/watch/step.ts). */
export interface WatchedBuild extends ReadLog {
  rules: WatchRules;
  /** The record as this replica keeps it: log cursor, status and snapshot, `supersededBy`. */
  record: BuildRecord;
  /** The runner's last report since the build was followed here, its phase messages masked. */
  snapshot?: RecordedSnapshot;
  /** When the build finished (its end time, or when it was first seen finished): its log is read on for a grace period after. */
  finishedAt?: number;
  log: LogProgress;
  checkRun: CheckRunProgress;
  /** The last state handed to the build's GitHub deployment, when it has one (`queued` went as it was made). */
  deploymentState?: DeploymentState;
  /** Followed no more: its completion is recorded, or another replica watches it. */
  stopped: boolean;
}

/** What a replica finds when it starts following a build: its `::add-mask::` values, and the end of its stored log. */
export interface ResumedBuild {
  addMasks: AddMaskState;
  /** The last stored lines, when the record has a log cursor (a restart or a takeover); reading goes on from that cursor. */
  tail: readonly string[];
}

/** A build followed anew from its record: the first time, after a restart, or taken over from a replica that is gone. */
export function followBuild(record: BuildRecord, resumed: ResumedBuild, rules: WatchRules): WatchedBuild {
  return {
    rules,
    record,
    tail: resumed.tail,
    annotations: NO_ANNOTATIONS,
    masking: { secrets: [], addMasks: resumed.addMasks },
    log: { reading: false, done: false },
    checkRun: { annotationsSent: 0, progressWaiting: false },
    ...(record.deployment && { deploymentState: QUEUED_STATUS.state }),
    stopped: false,
  };
}

/** Whether the runner's next report of the build is wanted: until it is seen finished. */
export function awaitsReport(build: WatchedBuild): boolean {
  return !build.stopped && (!build.snapshot || build.snapshot.status === "IN_PROGRESS");
}

/** Where the build's log can be read, when it can be (CloudWatch; not S3 only). */
export function logLocation(build: WatchedBuild): LogLocation | undefined {
  const logs = build.snapshot?.logs;
  if (!logs?.groupName || !logs.streamName || logs.s3Only) return undefined;
  return { groupName: logs.groupName, streamName: logs.streamName };
}
