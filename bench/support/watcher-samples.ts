import type { FakeCodeBuild } from "../../test/support/fake-codebuild.js";
import type { AppProcess } from "./app-process.js";
import type { ProcessUsage } from "./process-usage.js";
import { delay } from "./wait.js";

const TICKS = "codebuild_checks_watcher_tick_duration_seconds";

/** The app watching builds, as seen at one moment from outside: its metrics, /proc and CodeBuild's requests. */
export interface WatcherSample {
  at: number;
  /** Watcher rounds ended so far, and their summed duration. */
  ticks: number;
  tickSeconds: number;
  lagSeconds: number;
  checkRunWrites: number;
  usage: ProcessUsage;
  /** BatchGetBuilds calls CodeBuild received so far. */
  batchGetBuilds: number;
}

export async function sampleWatcher(app: AppProcess, codebuild: FakeCodeBuild): Promise<WatcherSample> {
  const metrics = await app.metrics();
  return {
    at: Date.now(),
    ticks: metrics.value(`${TICKS}_count`),
    tickSeconds: metrics.value(`${TICKS}_sum`),
    lagSeconds: metrics.value("codebuild_checks_watcher_lag_seconds"),
    checkRunWrites: metrics.value("codebuild_checks_check_run_writes_total"),
    usage: app.usage(),
    batchGetBuilds: codebuild.calls("BatchGetBuilds").length,
  };
}

/** Samples every `everyMs` until `done` holds for a sample (which ends the list) or `timeoutMs` passed. */
export async function sampleUntil(
  sample: () => Promise<WatcherSample>,
  done: (latest: WatcherSample) => boolean | Promise<boolean>,
  everyMs: number,
  timeoutMs: number,
): Promise<{ samples: WatcherSample[]; done: boolean }> {
  const deadline = Date.now() + timeoutMs;
  const samples: WatcherSample[] = [];
  for (;;) {
    const latest = await sample();
    samples.push(latest);
    if (await done(latest)) return { samples, done: true };
    if (Date.now() > deadline) return { samples, done: false };
    await delay(everyMs);
  }
}

/**
 * How long each round took, read from the tick histogram's sum between samples: exact where one
 * round ended between two samples, the mean of the rounds where several did.
 */
export function tickDurations(samples: readonly WatcherSample[]): number[] {
  return samples.slice(1).flatMap((s, i) => {
    const ended = s.ticks - samples[i]!.ticks;
    return Array.from({ length: ended }, () => (s.tickSeconds - samples[i]!.tickSeconds) / ended);
  });
}

/**
 * BatchGetBuilds calls grouped into the watcher rounds that made them: a round asks for each build
 * once, so a call naming a build the round already asked for starts the next round.
 */
export function batchRounds(calls: readonly { ids?: unknown }[]): string[][][] {
  const rounds: string[][][] = [];
  let asked = new Set<string>();
  for (const call of calls) {
    const ids = (call.ids as string[] | undefined) ?? [];
    if (rounds.length === 0 || ids.some((id) => asked.has(id))) {
      rounds.push([]);
      asked = new Set();
    }
    rounds[rounds.length - 1]!.push(ids);
    for (const id of ids) asked.add(id);
  }
  return rounds;
}
