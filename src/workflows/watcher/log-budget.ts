import { systemClock, type Clock } from "../../domain/clock.js";

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
export function nextLogRead(candidates: readonly LogReadCandidate[], now: number): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  for (const candidate of candidates) {
    const score = (now - (candidate.lastReadAt ?? candidate.since)) * logReadWeight(candidate, now);
    if (score > bestScore) [best, bestScore] = [candidate.key, score];
  }
  return best;
}

export interface LogReadBudgetOptions {
  /** LOGS_RPS. */
  ratePerSecond: number;
  burst?: number;
  clock?: Clock;
  /** For the backoff's jitter; tests make it predictable. */
  random?: () => number;
}

interface Waiter extends LogReadCandidate {
  answer: Promise<boolean>;
  grant(go: boolean): void;
}

/**
 * All CloudWatch log reads of the process go through one budget: a build asks before each
 * GetLogEvents call and waits its turn.
 */
export class LogReadBudget {
  private readonly intervalMs: number;
  /** How far ahead reads may be booked: the burst. */
  private readonly aheadMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  /** Reads granted so far, one per interval, are booked up to here; a read may go when less than `aheadMs` is booked. */
  private bookedUntil = -Infinity;
  private throttledInARow = 0;
  private readonly waiting = new Map<string, Waiter>();
  private readonly lastReadAt = new Map<string, number>();
  private cancelWake: (() => void) | undefined;
  private pumpQueued = false;
  private stopped = false;

  constructor(options: LogReadBudgetOptions) {
    this.intervalMs = 1000 / options.ratePerSecond;
    this.aheadMs = (Math.max(1, options.burst ?? LOG_READ_BURST) - 1) * this.intervalMs;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /**
   * Resolves true when this build may make one GetLogEvents call, false when the budget stopped or
   * the build was forgotten meanwhile. Asking again while waiting updates the priority.
   */
  request(key: string, priority: LogReadPriority): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    const waiter = this.waiting.get(key);
    if (waiter) {
      waiter.running = priority.running;
      waiter.lastOutputAt = priority.lastOutputAt;
      return waiter.answer;
    }
    let grant!: (go: boolean) => void;
    const answer = new Promise<boolean>((resolve) => (grant = resolve));
    const since = this.clock.now();
    this.waiting.set(key, { ...priority, key, since, lastReadAt: this.lastReadAt.get(key), answer, grant });
    this.queuePump();
    return answer;
  }

  /** The build is no longer followed here: its waiting request gets false and its history goes. */
  forget(key: string): void {
    this.waiting.get(key)?.grant(false);
    this.waiting.delete(key);
    this.lastReadAt.delete(key);
  }

  /** CloudWatch answered ThrottlingException: every read pauses, longer each time in a row. Returns the pause. */
  backOff(): number {
    const ceiling = Math.min(LOG_READ_BACKOFF_MAX_MS, LOG_READ_BACKOFF_BASE_MS * 2 ** this.throttledInARow++);
    // Half fixed, half random: never a near-zero pause, and replicas throttled together do not retry together.
    const pause = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    this.bookedUntil = Math.max(this.bookedUntil, this.clock.now() + pause + this.aheadMs);
    this.queuePump();
    return pause;
  }

  /** A read went through: the next throttling starts from the shortest pause again. */
  succeeded(): void {
    this.throttledInARow = 0;
  }

  /** Shutdown: every waiting request gets false, and so does every later one. */
  stop(): void {
    this.stopped = true;
    this.cancelWake?.();
    for (const waiter of this.waiting.values()) waiter.grant(false);
    this.waiting.clear();
  }

  /** Requests made in the same turn of the event loop compete together, not first come first served. */
  private queuePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    if (this.stopped) return;
    const now = this.clock.now();
    while (this.waiting.size > 0 && this.bookedUntil - now <= this.aheadMs) {
      const waiter = this.waiting.get(nextLogRead([...this.waiting.values()], now)!)!;
      this.waiting.delete(waiter.key);
      this.bookedUntil = Math.max(this.bookedUntil, now) + this.intervalMs;
      this.lastReadAt.set(waiter.key, now);
      waiter.grant(true);
    }
    if (this.waiting.size === 0) return;
    const wait = Math.max(1, Math.ceil(this.bookedUntil - this.aheadMs - now));
    this.cancelWake = this.clock.setTimer(wait, () => this.pump());
  }
}
