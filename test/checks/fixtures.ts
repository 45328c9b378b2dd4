import type { BuildPhase, BuildSnapshot } from "../../src/domain/build.js";

export const T0 = new Date("2026-01-01T12:00:00Z");

export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

/** A phase that ran from `start` to `end` seconds after T0 (no end: still running). */
export function phase(name: string, status: string | undefined, start: number, end?: number, messages: string[] = []): BuildPhase {
  return {
    name,
    status,
    startTime: at(start),
    endTime: end === undefined ? undefined : at(end),
    durationSeconds: end === undefined ? undefined : end - start,
    messages,
  };
}

/** CodeBuild's phases up to and including `last`, all succeeded, one second each, then `last` running. */
export function runningIn(last: string): BuildSnapshot {
  const order = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING"];
  const index = order.indexOf(last);
  const phases = order.slice(0, index).map((name, i) => phase(name, "SUCCEEDED", i, i + 1));
  phases.push(phase(last, undefined, index));
  return { id: "project:1", status: "IN_PROGRESS", currentPhase: last, startTime: T0, phases };
}
