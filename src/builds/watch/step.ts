import { buildConclusion } from "../../checks/conclusion.js";
import { deploymentStatusOf } from "../../deployments/deployment.js";
import type { CheckRunState } from "../../checks/check-run.js";
import type { BuildSnapshot } from "../../domain/build.js";
import { recordedSnapshot } from "../build-record.js";
import { checkUpdateDue, updateFingerprint } from "./update-throttle.js";
import type { WatchAction } from "./action.js";
import { acceptLog } from "./log-intake.js";
import { maskerOf, withSecrets } from "./masking.js";
import type { WatchObservation } from "./observation.js";
import { checkRunReport, type CheckRunReport } from "./report.js";
import { logLocation, type WatchedBuild } from "./state.js";

/** CloudWatch delivers a build's last lines a little after the build ends: reading goes on this long. */
export const LOG_GRACE_MS = 5_000;
/** A finished build's check run completes after this even when its log cannot be read to the end. */
export const LOG_GIVE_UP_MS = 60_000;

/** The build's new state, and what to do, in order. */
export interface WatchStep {
  build: WatchedBuild;
  actions: WatchAction[];
}

const unchanged = (build: WatchedBuild): WatchStep => ({ build, actions: [] });

/**
 * The watcher's decisions for one build, without any I/O: given what it knew, what it was just told
 * and the time, what it knows now and what to do. The loop (src/workflows) does the reading, the
 * writing and the scheduling; a stopped build answers nothing more.
 */
export function watchStep(build: WatchedBuild, observation: WatchObservation, now: number): WatchStep {
  if (build.stopped) return unchanged(build);
  switch (observation.kind) {
    case "round":
      return onRound(build, now);
    case "tick":
      return reportIfDue(closeLog(build, now), now);
    case "reported":
      return onReported(build, observation.snapshot, now);
    case "secrets": {
      const masking = withSecrets(build.masking, observation.values);
      return unchanged(masking === build.masking ? build : { ...build, masking });
    }
    case "superseded":
      return unchanged(build.record.supersededBy === observation.by ? build : { ...build, record: { ...build.record, supersededBy: observation.by } });
    case "logRead":
      return onLogRead(build, observation, now);
    case "logStored":
      return onLogStored(build, observation, now);
    case "logUnread":
      return unchanged({ ...build, log: { ...build.log, reading: false } });
    case "reportSent":
      return onReportSent(build, observation.report, now);
    case "reportFailed":
      return onReportFailed(build, observation.report);
    case "reportDropped":
      return unchanged({ ...build, checkRun: { ...build.checkRun, progressWaiting: false } });
    case "completionRecorded":
      return { build: { ...build, stopped: true }, actions: [{ kind: "stopFollowing", reason: "completed" }] };
    case "completionUnrecorded":
      return unchanged({ ...build, checkRun: { ...build.checkRun, completion: "unrecorded" } });
    case "heldElsewhere":
      return { build: { ...build, stopped: true }, actions: [{ kind: "stopFollowing", reason: "heldElsewhere" }] };
  }
}

/** Reads what is new in the log unless a read is under way or nothing is left; reports when due; records a completion again that failed to be. */
function onRound(build: WatchedBuild, now: number): WatchStep {
  const closed = closeLog(build, now);
  if (closed.checkRun.completion === "unrecorded") return recordCompletion(closed);
  const location = logLocation(closed);
  if (closed.log.reading || closed.log.done || !location) return reportIfDue(closed, now);
  const reading = { ...closed, log: { ...closed.log, reading: true } };
  return then({ build: reading, actions: [readLog(reading)] }, (b) => reportIfDue(b, now));
}

function readLog(build: WatchedBuild): WatchAction {
  return {
    kind: "readLog",
    location: logLocation(build)!,
    cursor: build.record.logCursor,
    priority: { running: build.finishedAt === undefined, ...(build.log.lastOutputAt !== undefined && { lastOutputAt: build.log.lastOutputAt }) },
  };
}

/**
 * The runner's report, its phase messages masked (CodeBuild's messages may quote the build's
 * output), kept with the record when it changed.
 */
function onReported(build: WatchedBuild, reported: BuildSnapshot, now: number): WatchStep {
  const snapshot = recordedSnapshot(reported, maskerOf(build.masking), build.record.plan.trusted);
  const changed = updateFingerprint(snapshot) !== updateFingerprint(build.snapshot ?? null);
  const record = changed ? { ...build.record, status: snapshot.status, snapshot } : build.record;
  const finished = snapshot.status !== "IN_PROGRESS";
  const next: WatchedBuild = {
    ...build,
    record,
    snapshot,
    // From the build's own end when known: a build followed anew (after a restart, or a Lambda
    // invocation) waits out the log's grace period once, not again each time.
    ...(finished && build.finishedAt === undefined && { finishedAt: Math.min(now, snapshot.endTime?.getTime() ?? now) }),
    log: { ...build.log, done: build.log.done || (snapshot.logs?.s3Only === true && finished) },
  };
  const stored = { build: next, actions: changed ? [storeRecord(next)] : [] };
  // A deployment's end goes with the check run's completion (recordCompletion), once the log is read.
  return finished ? stored : then(stored, (b) => reportDeployment(b, false));
}

/**
 * The deployment's status for the build as it stands (deploymentStatusOf), when it has a
 * deployment and that status's state was not handed over yet.
 */
function reportDeployment(build: WatchedBuild, final: boolean): WatchStep {
  const { deployment, supersededBy } = build.record;
  if (!deployment || !build.snapshot) return unchanged(build);
  const status = deploymentStatusOf({ build: build.snapshot, ...(supersededBy !== undefined && { supersededBy }) });
  if (status.state === build.deploymentState) return unchanged(build);
  return { build: { ...build, deploymentState: status.state }, actions: [{ kind: "reportDeployment", deployment, status, final }] };
}

function storeRecord(build: WatchedBuild): WatchAction {
  return { kind: "storeRecord", record: build.record, addMasks: build.masking.addMasks };
}

/** A page of the log: its lines taken in (masked, kept in the tail, scanned for annotations) and stored before the cursor moves past them. */
function onLogRead(build: WatchedBuild, page: Extract<WatchObservation, { kind: "logRead" }>, now: number): WatchStep {
  const { lines, ...read } = acceptLog(build, page.events);
  const next = lines.length > 0 ? { ...build, ...read, log: { ...build.log, lastOutputAt: now } } : build;
  return { build: next, actions: [{ kind: "storeLog", lines, cursor: page.cursor, atEnd: page.atEnd }] };
}

/**
 * The page's lines are stored: the cursor moves past them (kept with the record, with the values
 * that hid them, so whoever follows next hides them too). Reading goes on to the end of the log; a
 * finished build's log is done once its end is read after the grace period, or at the give-up time.
 */
function onLogStored(build: WatchedBuild, stored: Extract<WatchObservation, { kind: "logStored" }>, now: number): WatchStep {
  const moved = { ...build, record: { ...build.record, logCursor: stored.cursor } };
  const sinceFinish = build.finishedAt === undefined ? undefined : now - build.finishedAt;
  const done = sinceFinish !== undefined && (stored.atEnd ? sinceFinish >= LOG_GRACE_MS : sinceFinish >= LOG_GIVE_UP_MS);
  const readOn = !stored.atEnd && !done;
  const next = { ...moved, log: { ...moved.log, reading: readOn, done: moved.log.done || done } };
  const actions = [storeRecord(next), ...(readOn ? [readLog(next)] : [])];
  if (stored.lines === 0 && !done) return { build: next, actions };
  return then({ build: next, actions }, (b) => reportIfDue(b, now));
}

/**
 * A finished build's log is done when it cannot be read and the grace period is over, or when the
 * give-up time has come and no read is under way.
 */
function closeLog(build: WatchedBuild, now: number): WatchedBuild {
  if (build.log.done || build.log.reading || build.finishedAt === undefined) return build;
  const since = now - build.finishedAt;
  const over = logLocation(build) === undefined ? since >= LOG_GRACE_MS : since >= LOG_GIVE_UP_MS;
  return over ? { ...build, log: { ...build.log, done: true } } : build;
}

/**
 * The check run's report when one is due (CHECK_UPDATE_INTERVAL_MS, at once for a new phase or a
 * completion); none while a completion is on its way, and only a completion while progress waits.
 */
function reportIfDue(build: WatchedBuild, now: number): WatchStep {
  const { claimed, completion, progressWaiting } = build.checkRun;
  if (completion !== undefined || claimed?.completed) return unchanged(build);
  if (progressWaiting && !(build.finishedAt !== undefined && build.log.done)) return unchanged(build);
  const report = checkRunReport(build, now);
  if (!report) return unchanged(build);
  const completed = isCompletion(report.state);
  const update = { phase: report.phase, completed, fingerprint: report.fingerprint };
  if (!checkUpdateDue(claimed, update, now, build.rules.updateIntervalMs)) return unchanged(build);
  return {
    build: { ...build, checkRun: { ...build.checkRun, claimed: { ...update, at: now }, progressWaiting: progressWaiting || !completed } },
    actions: [completed ? { kind: "completeCheckRun", report } : { kind: "updateCheckRun", report }],
  };
}

/** A failed report: the next one due goes again, at once. */
function onReportFailed(build: WatchedBuild, report: CheckRunReport): WatchStep {
  const { claimed, progressWaiting } = build.checkRun;
  // Progress failing while a completion waits leaves the completion be.
  if (!isCompletion(report.state) && claimed?.completed) return unchanged({ ...build, checkRun: { ...build.checkRun, progressWaiting: false } });
  return unchanged({ ...build, checkRun: { ...build.checkRun, claimed: undefined, progressWaiting: isCompletion(report.state) && progressWaiting } });
}

/**
 * GitHub has a report: its annotations count as sent, the throttle remembers what went (when the
 * interval began stays), and a completion is recorded, after which the build is followed no more.
 */
function onReportSent(build: WatchedBuild, report: CheckRunReport, now: number): WatchStep {
  const completed = isCompletion(report.state);
  const earlier = build.checkRun.claimed;
  // Progress that went before a completion claimed since does not make the completion due again.
  const claimed = earlier?.completed && !completed ? earlier : { phase: report.phase, completed, fingerprint: report.fingerprint, at: earlier?.at ?? now };
  const annotationsSent = Math.max(build.checkRun.annotationsSent, report.annotationsBefore + (report.output.annotations?.length ?? 0));
  const progressWaiting = build.checkRun.progressWaiting && completed;
  const next = { ...build, checkRun: { ...build.checkRun, claimed, annotationsSent, progressWaiting } };
  if (!completed || build.checkRun.completion !== undefined) return unchanged(next);
  return recordCompletion(next);
}

/** Only a finished build's completion goes, so its snapshot says how it ended. */
function recordCompletion(build: WatchedBuild): WatchStep {
  const snapshot = build.snapshot!;
  const next = { ...build, checkRun: { ...build.checkRun, completion: "recording" as const } };
  const record = { ...build.record, status: snapshot.status, snapshot, completed: true };
  // The deployment's end before the build counts as completed: whoever followed it next would not send it.
  return then(reportDeployment(next, true), (b) => ({
    build: b,
    actions: [{ kind: "recordCompletion", record, addMasks: b.masking.addMasks, conclusion: buildConclusion(snapshot.status)! }],
  }));
}

function isCompletion(state: CheckRunState): boolean {
  return state.status === "completed";
}

/** A step followed by another on its build: the actions of both, in order. */
function then(first: WatchStep, next: (build: WatchedBuild) => WatchStep): WatchStep {
  const second = next(first.build);
  return { build: second.build, actions: [...first.actions, ...second.actions] };
}
