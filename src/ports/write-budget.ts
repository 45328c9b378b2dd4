import { systemClock, type Clock } from "../domain/clock.js";
import { rateLimitPause } from "../domain/github-rate-limit.js";

/*
 * GitHub's secondary limits on writes: 80 content-creating requests per minute, 500 per hour, 900
 * points per minute per endpoint, and "wait at least one second between each request" for POST,
 * PATCH, PUT and DELETE (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 * and .../best-practices-for-using-the-rest-api#pause-between-mutative-requests).
 * The budget keeps an installation's writes evenly spaced (GITHUB_WRITES_PER_MINUTE: at the
 * default 60, exactly one a second), and its content creations within an hourly cap (GITHUB_WRITES_PER_HOUR).
 */

/**
 * GitHub's documented cap on content-generating requests an hour (same page). GitHub Enterprise
 * Server has rate limits off unless its administrator sets them, so it applies to GitHub.com only.
 */
export const GITHUB_CONTENT_CREATIONS_PER_HOUR = 500;
const HOUR_MS = 3_600_000;

/**
 * What a write does on GitHub, for the hourly cap. GitHub does not list which requests are
 * "content-generating"; it speaks of creating content, and its examples (issues, comments) are
 * things made new. So a write that makes something new — a check run, a comment, a reaction —
 * counts, and one that changes what exists — a check run's progress or completion (PATCH), a comment
 * deleted — does not: updating a run adds nothing a reader did not see before, and counting updates
 * would cap an installation at a few dozen builds an hour, since every build updates its run as it goes.
 */
export type WriteEffect = "creates" | "changes";

/** The least time between the starts of two writes of one installation (GITHUB_WRITES_PER_MINUTE). */
export function writeSpacingMs(perMinute: number): number {
  return 60_000 / perMinute;
}

/** Check runs whose completion was sent, remembered so a late progress update cannot reopen them. */
const REMEMBERED_COMPLETIONS = 10_000;

export type CheckWriteKind = "completion" | "progress";

/**
 * What became of a submitted write: sent (with the answer of the write that went, which is a newer
 * one for the same key when it replaced this one), dropped (progress after the key's completion was
 * sent), or failed for a reason other than a rate limit (also reported to `onError`).
 */
export type WriteOutcome<T> = { status: "sent"; value: T } | { status: "dropped" } | { status: "failed"; error: unknown };

export interface WriteBudgetOptions {
  /** GITHUB_WRITES_PER_MINUTE. */
  perMinute: number;
  /** GITHUB_WRITES_PER_HOUR: content creations (WriteEffect) in any hour. */
  perHour?: number;
  clock?: Clock;
  /** A write failed for a reason other than a rate limit: it is not tried again here. */
  onError?: (key: string, error: unknown) => void;
  /**
   * How a caller waits for its write to be sent: the intake's `FairQueue.stepAside`, so processing
   * waiting on its installation's budget holds none of the slots other installations need.
   */
  stepAside?: <T>(waiting: () => Promise<T>) => Promise<T>;
}

interface PendingWrite {
  kind: CheckWriteKind;
  effect: WriteEffect;
  write: () => Promise<unknown>;
  /** Its place in the queue, from when the key first waited: replacing its write keeps it. */
  place: number;
  settle: ((outcome: WriteOutcome<unknown>) => void)[];
}

/** The newer write wins, except that a completion is never replaced by progress. */
function coalesce(older: PendingWrite, newer: PendingWrite): PendingWrite {
  const winner = older.kind === "completion" && newer.kind === "progress" ? older : newer;
  return {
    kind: winner.kind,
    effect: winner.effect,
    write: winner.write,
    place: Math.min(older.place, newer.place),
    settle: [...older.settle, ...newer.settle],
  };
}

/** Completions first, then the key that has waited longest, so every check run keeps moving. */
function goesBefore(a: PendingWrite, b: PendingWrite): boolean {
  return a.kind !== b.kind ? a.kind === "completion" : a.place < b.place;
}

/** The key whose write goes next; a write that creates content waits while the hourly cap is reached. */
function nextInLine(pending: Map<string, PendingWrite>, mayCreate: boolean): string | undefined {
  let next: string | undefined;
  for (const [key, write] of pending) {
    if (write.effect === "creates" && !mayCreate) continue;
    if (next === undefined || goesBefore(write, pending.get(next)!)) next = key;
  }
  return next;
}

/**
 * The check-run writes of one installation. Writes wait here, not in Octokit (whose throttling
 * plugin sends them one at a time, first in first out), so an update that a newer one replaced is
 * never sent: with many builds, updates slow down evenly instead of queueing up stale.
 */
export class GitHubWriteBudget {
  private readonly spacingMs: number;
  private readonly creationsPerHour: number | undefined;
  /** When the content creations of the last hour started, oldest first (at most creationsPerHour). */
  private readonly creations: number[] = [];
  private readonly clock: Clock;
  private readonly onError: (key: string, error: unknown) => void;
  private readonly stepAside: <T>(waiting: () => Promise<T>) => Promise<T>;
  private readonly pending = new Map<string, PendingWrite>();
  private readonly completed = new Set<string>();
  /** The next write may not start before this: spacing, or a pause GitHub asked for. */
  private nextStartAt = -Infinity;
  private sending: Promise<void> | undefined;
  private cancelWake: (() => void) | undefined;
  private idle: (() => void)[] = [];
  private submitted = 0;

  constructor(options: WriteBudgetOptions) {
    this.spacingMs = writeSpacingMs(options.perMinute);
    this.creationsPerHour = options.perHour;
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? (() => undefined);
    this.stepAside = options.stepAside ?? ((waiting) => waiting());
  }

  /**
   * Queues `write` for check run `key`, replacing one still waiting for it. Resolves once it (or the
   * write that replaced it: the writes of one key answer alike) was sent or failed; progress for a
   * check run whose completion was already sent is dropped.
   */
  submit<T>(key: string, kind: CheckWriteKind, write: () => Promise<T>, effect: WriteEffect = "changes"): Promise<WriteOutcome<T>> {
    if (kind === "progress" && this.completed.has(key)) return Promise.resolve({ status: "dropped" });
    return this.stepAside(
      () =>
        new Promise<WriteOutcome<T>>((settle) => {
          const incoming: PendingWrite = { kind, effect, write, place: this.submitted++, settle: [settle as (outcome: WriteOutcome<unknown>) => void] };
          const queued = this.pending.get(key);
          this.pending.set(key, queued ? coalesce(queued, incoming) : incoming);
          this.pump();
        }),
    );
  }

  /** Resolves when nothing waits and nothing is being sent (shutdown, tests). */
  drain(): Promise<void> {
    if (!this.sending && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Writes waiting to be sent. */
  get waiting(): number {
    return this.pending.size;
  }

  private pump(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    if (this.sending) return;
    if (this.pending.size === 0) return this.becameIdle();
    const now = this.clock.now();
    const creationsFreeAt = this.creationsFreeAt(now);
    const key = nextInLine(this.pending, creationsFreeAt <= now);
    const startAt = key === undefined ? creationsFreeAt : this.nextStartAt;
    if (now < startAt) {
      this.cancelWake = this.clock.setTimer(Math.max(1, Math.ceil(startAt - now)), () => this.pump());
      return;
    }
    const write = this.pending.get(key!)!;
    this.pending.delete(key!);
    this.nextStartAt = now + this.spacingMs;
    if (write.effect === "creates" && this.creationsPerHour !== undefined) this.creations.push(now);
    this.sending = this.send(key!, write).finally(() => {
      this.sending = undefined;
      this.pump();
    });
  }

  /** When another content creation may start: now, unless the last hour's reached the cap. */
  private creationsFreeAt(now: number): number {
    while (this.creations.length > 0 && this.creations[0]! <= now - HOUR_MS) this.creations.shift();
    const cap = this.creationsPerHour;
    return cap === undefined || this.creations.length < cap ? -Infinity : this.creations[this.creations.length - cap]! + HOUR_MS;
  }

  private async send(key: string, write: PendingWrite): Promise<void> {
    if (write.kind === "completion") this.rememberCompleted(key);
    try {
      const value = await write.write();
      for (const settle of write.settle) settle({ status: "sent", value });
    } catch (error) {
      this.completed.delete(key);
      const pause = rateLimitPause(error, this.clock.now());
      if (pause === undefined) {
        this.onError(key, error);
        for (const settle of write.settle) settle({ status: "failed", error });
        return;
      }
      this.nextStartAt = Math.max(this.nextStartAt, this.clock.now() + pause);
      // Back at its old place in the queue, unless a newer write for the key came meanwhile.
      const newer = this.pending.get(key);
      this.pending.set(key, newer ? coalesce(write, newer) : write);
    }
  }

  /**
   * A one-off write (a check run created or completed, a comment, a reaction) in turn with the rest,
   * ahead of progress updates; its answer, or its error, reaches the caller. Rate limits pause and retry it.
   */
  async once<T>(effect: WriteEffect, write: () => Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    const sent = async () => {
      try {
        outcome = { ok: true, value: await write() };
      } catch (error) {
        if (rateLimitPause(error, this.clock.now()) !== undefined) throw error;
        outcome = { ok: false, error };
      }
    };
    await this.submit(`once:${this.submitted}`, "completion", sent, effect);
    if (!outcome) throw new Error("a GitHub write was dropped before it was sent");
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private rememberCompleted(key: string): void {
    this.completed.delete(key);
    this.completed.add(key);
    if (this.completed.size > REMEMBERED_COMPLETIONS) this.completed.delete(this.completed.values().next().value!);
  }

  private becameIdle(): void {
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}

/** One write budget per installation, as GitHub counts its limits. */
export class GitHubWriteBudgets {
  private readonly budgets = new Map<number, GitHubWriteBudget>();

  constructor(private readonly options: WriteBudgetOptions) {}

  forInstallation(installationId: number): GitHubWriteBudget {
    let budget = this.budgets.get(installationId);
    if (!budget) this.budgets.set(installationId, (budget = new GitHubWriteBudget(this.options)));
    return budget;
  }

  async drain(): Promise<void> {
    await Promise.all([...this.budgets.values()].map((budget) => budget.drain()));
  }
}
