/*
 * AWS allows 10 GetLogEvents requests per second per account and region, shared with every other
 * tool of the account (CloudWatch Logs quotas:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
 * The app keeps to LOGS_RPS of them, all builds together.
 */

/**
 * Reads that may go at once after a quiet moment. Small on purpose: with LOGS_RPS at its default 5,
 * no second sees more than 6 reads, well under AWS's 10.
 */
export const LOG_READ_BURST = 2;
/** AWS counts GetLogEvents per second: after a ThrottlingException, a second lets the quota refill. */
export const LOG_READ_BACKOFF_BASE_MS = 1_000;
/** However long throttling lasts, reads are tried again at least this often. */
export const LOG_READ_BACKOFF_MAX_MS = 30_000;
/** A build that wrote in the last half minute is probably still writing. */
export const RECENT_OUTPUT_MS = 30_000;
/** How many times more often a running build with recent output is read than an idle one. */
export const ACTIVE_READ_WEIGHT = 4;
/**
 * A finished build draining its log's tail goes (nearly) first: its check run completes only after
 * that read, and completions go before progress. Draining takes a read or two, so nothing starves.
 */
export const FINISHING_READ_WEIGHT = 100;

export interface LogReadPriority {
  /** The build is still running (false: it finished and its log's tail is being drained). */
  running: boolean;
  /** When a read of this build last returned events (ms since the epoch). */
  lastOutputAt?: number;
}

export interface LogReadCandidate extends LogReadPriority {
  key: string;
  /** When this build's log was last read; undefined when it never was. */
  lastReadAt?: number;
  /** When it asked for this read. */
  since: number;
}

export function logReadWeight(priority: LogReadPriority, now: number): number {
  if (!priority.running) return FINISHING_READ_WEIGHT;
  const recent = priority.lastOutputAt !== undefined && now - priority.lastOutputAt < RECENT_OUTPUT_MS;
  return recent ? ACTIVE_READ_WEIGHT : 1;
}

/**
 * Which build's log to read next: the one that has waited longest since its last read, its wait
 * multiplied by its weight. Every wait grows until it wins, so no build starves; among equals this
 * is round-robin, and ties go to the earlier candidate.
 */
export function nextLogRead(candidates: Iterable<LogReadCandidate>, now: number): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  for (const candidate of candidates) {
    const score = (now - (candidate.lastReadAt ?? candidate.since)) * logReadWeight(candidate, now);
    if (score > bestScore) [best, bestScore] = [candidate.key, score];
  }
  return best;
}

/** Who may read the logs when: every CloudWatch log read of the process asks here first. */
export interface LogReadSchedule {
  /** The least time between the starts of two reads: 1 / LOGS_RPS. */
  intervalMs: number;
  /** How far ahead reads may be booked: the burst. */
  aheadMs: number;
  /** Reads granted so far, one per interval, are booked up to here; a read may go when less than `aheadMs` is booked. */
  bookedUntil: number;
  throttledInARow: number;
  /** Builds waiting for their turn, in the order they first asked. */
  waiting: ReadonlyMap<string, LogReadCandidate>;
  lastReadAt: ReadonlyMap<string, number>;
  /** When the next waiting build may read: `woke` is to be observed then. */
  wakeAt?: number;
  stopped: boolean;
}

export function logReadSchedule(ratePerSecond: number, burst = LOG_READ_BURST): LogReadSchedule {
  const intervalMs = 1000 / ratePerSecond;
  return {
    intervalMs,
    aheadMs: (Math.max(1, burst) - 1) * intervalMs,
    bookedUntil: -Infinity,
    throttledInARow: 0,
    waiting: new Map(),
    lastReadAt: new Map(),
    stopped: false,
  };
}

/** One build's request for its next read. */
export interface LogReadRequest {
  key: string;
  priority: LogReadPriority;
  /** When it asked. */
  at: number;
}

export type LogReadObservation =
  /** Builds ask for a read (asking again while waiting updates the priority); the ones asking in one turn compete together. */
  | { kind: "asked"; requests: readonly LogReadRequest[] }
  /** The time the last answer said to wake at has come. */
  | { kind: "woke" }
  /** CloudWatch answered ThrottlingException: every read pauses, longer each time in a row; `random` (0–1) spreads the pause. */
  | { kind: "throttled"; random: number }
  /** A read went through: the next throttling starts from the shortest pause again. */
  | { kind: "succeeded" }
  /** The build is no longer followed here: its waiting request is refused, its history goes. */
  | { kind: "forgotten"; key: string }
  /** Shutdown: every waiting request is refused, and so is every later one. */
  | { kind: "stopped" };

export type LogReadAction =
  /** The build may make one GetLogEvents call now (`go`), or may not ever for this request. */
  | { kind: "answer"; key: string; go: boolean }
  /** Reads pause this long after a throttling. */
  | { kind: "paused"; ms: number };

export interface LogReadStep {
  schedule: LogReadSchedule;
  actions: LogReadAction[];
}

/** The schedule after `observation` at `now`, and who may read. */
export function logReadStep(schedule: LogReadSchedule, observation: LogReadObservation, now: number): LogReadStep {
  switch (observation.kind) {
    case "asked":
      if (schedule.stopped) return { schedule, actions: observation.requests.map(({ key }) => ({ kind: "answer", key, go: false })) };
      return grant({ ...schedule, waiting: withRequests(schedule, observation.requests) }, now, []);
    case "woke":
      return grant(schedule, now, []);
    case "throttled": {
      const ceiling = Math.min(LOG_READ_BACKOFF_MAX_MS, LOG_READ_BACKOFF_BASE_MS * 2 ** schedule.throttledInARow);
      // Half fixed, half random: never a near-zero pause, and replicas throttled together do not retry together.
      const pause = Math.round(ceiling / 2 + (observation.random * ceiling) / 2);
      const paused = {
        ...schedule,
        throttledInARow: schedule.throttledInARow + 1,
        bookedUntil: Math.max(schedule.bookedUntil, now + pause + schedule.aheadMs),
      };
      return grant(paused, now, [{ kind: "paused", ms: pause }]);
    }
    case "succeeded":
      return { schedule: schedule.throttledInARow === 0 ? schedule : { ...schedule, throttledInARow: 0 }, actions: [] };
    case "forgotten": {
      const { key } = observation;
      const waiting = new Map(schedule.waiting);
      const lastReadAt = new Map(schedule.lastReadAt);
      const refused: LogReadAction[] = waiting.delete(key) ? [{ kind: "answer", key, go: false }] : [];
      lastReadAt.delete(key);
      return { schedule: { ...schedule, waiting, lastReadAt }, actions: refused };
    }
    case "stopped":
      return {
        schedule: { ...schedule, stopped: true, waiting: new Map(), wakeAt: undefined },
        actions: [...schedule.waiting.keys()].map((key) => ({ kind: "answer", key, go: false })),
      };
  }
}

function withRequests(schedule: LogReadSchedule, requests: readonly LogReadRequest[]): Map<string, LogReadCandidate> {
  const waiting = new Map(schedule.waiting);
  for (const { key, priority, at } of requests) {
    const earlier = waiting.get(key);
    waiting.set(key, earlier ? { ...earlier, ...priority } : { ...priority, key, since: at, lastReadAt: schedule.lastReadAt.get(key) });
  }
  return waiting;
}

/** As many waiting builds as the booking allows may read, best first; then a wake-up for the next. */
function grant(schedule: LogReadSchedule, now: number, actions: LogReadAction[]): LogReadStep {
  if (schedule.stopped) return { schedule, actions };
  let { bookedUntil } = schedule;
  const waiting = new Map(schedule.waiting);
  const lastReadAt = new Map(schedule.lastReadAt);
  while (waiting.size > 0 && bookedUntil - now <= schedule.aheadMs) {
    const key = nextLogRead(waiting.values(), now)!;
    waiting.delete(key);
    bookedUntil = Math.max(bookedUntil, now) + schedule.intervalMs;
    lastReadAt.set(key, now);
    actions.push({ kind: "answer", key, go: true });
  }
  const wakeAt = waiting.size > 0 ? now + Math.max(1, Math.ceil(bookedUntil - schedule.aheadMs - now)) : undefined;
  return { schedule: { ...schedule, bookedUntil, waiting, lastReadAt, wakeAt }, actions };
}
