import type { BuildSnapshot, BuildStatus } from "../../domain/build.js";

/** CodeBuild's phase statuses that the local runner reports. */
export type PhaseStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "FAULT" | "TIMED_OUT" | "STOPPED";

/** CodeBuild's marker phase after the last one: no status, no duration. */
const COMPLETED = "COMPLETED";
/** CodeBuild's phase of a build waiting for capacity: here, for a free slot (LOCAL_CONCURRENCY). */
const QUEUED = "QUEUED";

/** Where a local build's log is, in LogLocation's terms: the group is fixed, the stream is the build id. */
export const LOCAL_LOG_GROUP = "local";

export interface LocalPhase {
  name: string;
  status: PhaseStatus;
  /** ISO 8601. */
  startTime: string;
  endTime?: string;
  durationSeconds?: number;
  messages: string[];
}

/** A local build as kept in its JSON file: a BuildSnapshot's content with dates as text, and what finds its process again. */
export interface LocalBuild {
  id: string;
  status: BuildStatus;
  startTime: string;
  endTime?: string;
  phases: LocalPhase[];
  /** Set while the build's shell runs: its process group, and the start time that tells it from a later process with the same id. */
  process?: { pid: number; startTicks?: string };
  /** The temporary directory of the checkout, removed when the build ends. */
  workspace?: string;
  /** `exported-variables` as the build's script reported them after its last phase. */
  exportedVariables?: { name: string; value: string }[];
}

/** A build just submitted: SUBMITTED done at once, the source being fetched. */
export function submittedBuild(id: string, at: Date): LocalBuild {
  const now = at.toISOString();
  const submitted: LocalPhase = { name: "SUBMITTED", status: "SUCCEEDED", startTime: now, endTime: now, durationSeconds: 0, messages: [] };
  return { id, status: "IN_PROGRESS", startTime: now, phases: [submitted, { name: "DOWNLOAD_SOURCE", status: "IN_PROGRESS", startTime: now, messages: [] }] };
}

/** A build just submitted that must wait for a free slot: in QUEUED, whose message says why (the check run's title shows it). */
export function queuedBuild(id: string, at: Date, reason: string): LocalBuild {
  const submitted = submittedBuild(id, at);
  return { ...submitted, phases: [submitted.phases[0]!, { name: QUEUED, status: "IN_PROGRESS", startTime: at.toISOString(), messages: [reason] }] };
}

/** A queued build got its slot: QUEUED ends, the source is fetched. */
export function leftQueue(build: LocalBuild, at: Date): LocalBuild {
  return enterPhase(endPhase(build, "SUCCEEDED", at), "DOWNLOAD_SOURCE", at);
}

/** The phase under way, if any. */
export function runningPhase(build: LocalBuild): LocalPhase | undefined {
  const last = build.phases[build.phases.length - 1];
  return last?.status === "IN_PROGRESS" ? last : undefined;
}

export function enterPhase(build: LocalBuild, name: string, at: Date): LocalBuild {
  return { ...build, phases: [...build.phases, { name, status: "IN_PROGRESS", startTime: at.toISOString(), messages: [] }] };
}

/**
 * Ends the phase under way; messages are added only to a phase that has none yet (the first failure
 * says why), but QUEUED's, which said why it waited, give way to how it ended.
 */
export function endPhase(build: LocalBuild, status: PhaseStatus, at: Date, messages: string[] = []): LocalBuild {
  const phase = runningPhase(build);
  if (!phase) return build;
  const kept = phase.name === QUEUED ? [] : phase.messages;
  return { ...build, phases: [...build.phases.slice(0, -1), { ...closed(phase, status, at), messages: firstMessages(kept, messages) }] };
}

/** An exported variable's value as the script reported it (a name reported again replaces the earlier value). */
export function exportVariable(build: LocalBuild, name: string, value: string): LocalBuild {
  const others = (build.exportedVariables ?? []).filter((variable) => variable.name !== name);
  return { ...build, exportedVariables: [...others, { name, value }] };
}

/** Adds why the phase under way is failing, unless it already says. */
export function notePhaseFailure(build: LocalBuild, message: string): LocalBuild {
  const phase = runningPhase(build);
  if (!phase) return build;
  return { ...build, phases: [...build.phases.slice(0, -1), { ...phase, messages: firstMessages(phase.messages, [message]) }] };
}

/**
 * Ends the build: the phase under way ends with `phaseStatus` (and `message`), COMPLETED follows.
 * Without an explicit status the build failed when a phase did, and succeeded otherwise.
 */
export function finishBuild(build: LocalBuild, at: Date, end?: { status: BuildStatus; phaseStatus: PhaseStatus; message: string }): LocalBuild {
  const ended = end ? endPhase(build, end.phaseStatus, at, [end.message]) : endPhase(build, "FAILED", at);
  const status = end?.status ?? (ended.phases.some((p) => p.status !== "SUCCEEDED") ? "FAILED" : "SUCCEEDED");
  const { process: _process, workspace: _workspace, ...rest } = ended;
  return {
    ...rest,
    status,
    endTime: at.toISOString(),
    phases: [...ended.phases, { name: COMPLETED, status: "SUCCEEDED", startTime: at.toISOString(), messages: [] }],
  };
}

/** The build as the BuildRunner interface reports it. */
export function toSnapshot(build: LocalBuild): BuildSnapshot {
  const phases = build.phases.map((phase) =>
    phase.name === COMPLETED
      ? { name: COMPLETED, startTime: new Date(phase.startTime), messages: [] }
      : {
          name: phase.name,
          status: phase.status,
          startTime: new Date(phase.startTime),
          endTime: phase.endTime === undefined ? undefined : new Date(phase.endTime),
          durationSeconds: phase.durationSeconds,
          messages: phase.messages,
        },
  );
  return {
    id: build.id,
    status: build.status,
    currentPhase: build.phases[build.phases.length - 1]?.name,
    startTime: new Date(build.startTime),
    endTime: build.endTime === undefined ? undefined : new Date(build.endTime),
    phases,
    logs: { groupName: LOCAL_LOG_GROUP, streamName: build.id, s3Only: false },
    ...(build.exportedVariables && { exportedVariables: build.exportedVariables }),
  };
}

function closed(phase: LocalPhase, status: PhaseStatus, at: Date): LocalPhase {
  const durationSeconds = Math.max(0, Math.round((at.getTime() - Date.parse(phase.startTime)) / 1000));
  return { ...phase, status, endTime: at.toISOString(), durationSeconds };
}

function firstMessages(existing: string[], added: string[]): string[] {
  return existing.length > 0 ? existing : added;
}
