import type { Logger } from "pino";
import type { Intent } from "./intent.js";
import { GITHUB_DELIVERY_RETENTION_MS } from "./redelivery.js";
import type { IntakeStore } from "./store.js";

/**
 * GitHub gives up on a delivery after 10 seconds; the record is written well within that, or the
 * answer is a 5xx and the delivery counts as failed (which redelivery then picks up).
 */
export const INTAKE_WRITE_DEADLINE_MS = 3_000;
/** An intent that failed this often is given up (and logged), so one bad event cannot retry forever. */
export const MAX_PROCESSING_ATTEMPTS = 5;
/** Pending intents taken over in one sweep. */
const SWEEP_BATCH = 100;
/** Done intents are kept this long to recognise a redelivered duplicate: GitHub's redelivery window, plus a day's margin. */
export const DONE_INTENTS_KEPT_MS = GITHUB_DELIVERY_RETENTION_MS + 24 * 3_600_000;
/** How often old done intents are deleted. */
const PURGE_EVERY_MS = 3_600_000;

export interface DurableIntakeOptions {
  store: IntakeStore;
  /** `attempt.first`: the intent was just recorded here and nothing of it was tried before. */
  process: (intent: Intent, attempt: { first: boolean }) => Promise<void>;
  /**
   * Called when an intent is given up after MAX_PROCESSING_ATTEMPTS, before it is marked abandoned,
   * so that nothing it began is left open (its check run). Its failure is logged.
   */
  onGiveUp?: (intent: Intent, attempts: number) => Promise<void>;
  log: Logger;
  /** Who holds leases taken by this process (unique per process). */
  owner: string;
  /** How long a lease on an intent lasts; processing renews it. Pending intents are swept every half of it. */
  leaseMs: number;
  /**
   * Hands a recorded intent to another worker instead of processing it here (AWS Lambda: the
   * processor's queue). It is recorded with its lease already expired, so whichever worker gets it
   * first claims it; if handing it over fails, the sweep finds it pending.
   */
  dispatch?: (intent: Intent) => Promise<void>;
  /** Intents processed at once by this process; the rest wait in order. */
  concurrency?: number;
  now?: () => number;
}

/**
 * Durable intake (SPEC 8): the webhook handler records an intent in the table and answers; this
 * process then works on it under a lease. Intents a crashed or stopped process left pending are
 * taken over by a sweep at start-up and every half lease, by whichever replica claims them first.
 */
export class DurableIntake {
  private readonly queue: string[] = [];
  private readonly queued = new Map<string, Intent>();
  /** Intents recorded by this process and not yet attempted: their processing knows nothing of them exists yet. */
  private readonly fresh = new Set<string>();
  private active = 0;
  private idle: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private renewer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;
  private purgedAt = -Infinity;
  private readonly now: () => number;
  private readonly concurrency: number;

  constructor(private readonly options: DurableIntakeOptions) {
    this.now = options.now ?? Date.now;
    this.concurrency = options.concurrency ?? 4;
  }

  /**
   * Records a delivery's intent; false when the delivery was recorded before (by any replica).
   * Throws when the record cannot be written in time: the webhook must then be answered with a 5xx.
   */
  async record(intent: Intent): Promise<boolean> {
    const { store, owner, leaseMs, dispatch, log } = this.options;
    const ttlMs = dispatch ? 0 : leaseMs;
    const recorded = await store.record(intent, { owner, ttlMs, now: this.now() }, AbortSignal.timeout(INTAKE_WRITE_DEADLINE_MS));
    if (!recorded) return false;
    if (!dispatch) {
      this.fresh.add(intent.deliveryId);
      this.enqueue(intent);
      return true;
    }
    try {
      await dispatch(intent);
    } catch (err) {
      log.warn({ err, deliveryId: intent.deliveryId }, "handing the event over failed; it is recorded, and the next sweep processes it");
    }
    return true;
  }

  /**
   * Processes an intent handed over by `dispatch` (the processor's queue message), once its lease is
   * claimed here; resolves when it is done. Nothing happens when it was processed already, or another
   * worker holds it.
   */
  async take(intent: Intent): Promise<void> {
    const { store, owner, leaseMs } = this.options;
    if (!(await store.claim(intent.deliveryId, { owner, ttlMs: leaseMs, now: this.now() }))) return;
    this.enqueue(intent);
    await this.drained();
  }

  /** Sweeps at once, then every half lease. */
  start(): void {
    if (this.timer) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), Math.max(1, Math.floor(this.options.leaseMs / 2)));
    this.timer.unref();
  }

  /** Takes over pending intents whose lease has expired; overlapping calls share one sweep. */
  sweep(): Promise<void> {
    this.sweeping ??= this.takeOver().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** Resolves once everything taken so far is processed. */
  drained(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * SIGTERM: no more sweeps, intents not yet started are handed back (their leases released, so
   * another replica takes them at once), and the ones in progress finish.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
    const waiting = this.queue.splice(0);
    for (const id of waiting) {
      this.queued.delete(id);
      this.fresh.delete(id);
    }
    await Promise.all(waiting.map((id) => this.options.store.release(id, this.options.owner).catch(() => undefined)));
    await this.drained();
  }

  private async takeOver(): Promise<void> {
    const { store, owner, leaseMs, log } = this.options;
    try {
      const expired = await store.expired(this.now(), SWEEP_BATCH);
      for (const stored of expired) {
        if (this.stopped) return;
        const { deliveryId } = stored.intent;
        if (this.queued.has(deliveryId)) continue;
        if (stored.attempts >= MAX_PROCESSING_ATTEMPTS) {
          log.error({ deliveryId, event: stored.intent.kind, attempts: stored.attempts }, "event given up after repeated failures");
          await this.options.onGiveUp?.(stored.intent, stored.attempts).catch((err: unknown) => log.warn({ err, deliveryId }, "closing what a given-up event began failed"));
          await store.done(deliveryId, "abandoned");
          continue;
        }
        if (!(await store.claim(deliveryId, { owner, ttlMs: leaseMs, now: this.now() }))) continue;
        log.info({ deliveryId, event: stored.intent.kind, attempts: stored.attempts + 1 }, "pending event taken over");
        this.enqueue(stored.intent);
      }
    } catch (err) {
      log.warn({ err }, "looking for pending events failed; trying again at the next sweep");
    }
    await this.purge();
  }

  /** At most once an hour, done intents past the redelivery window are deleted. */
  private async purge(): Promise<void> {
    const now = this.now();
    if (now - this.purgedAt < PURGE_EVERY_MS) return;
    this.purgedAt = now;
    try {
      const purged = await this.options.store.purge(new Date(now - DONE_INTENTS_KEPT_MS).toISOString());
      if (purged > 0) this.options.log.info({ purged }, "old processed events deleted");
    } catch (err) {
      this.options.log.warn({ err }, "deleting old processed events failed; trying again in an hour");
    }
  }

  private enqueue(intent: Intent): void {
    if (this.stopped || this.queued.has(intent.deliveryId)) return;
    this.queued.set(intent.deliveryId, intent);
    this.queue.push(intent.deliveryId);
    this.renewLeases();
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const intent = this.queued.get(id)!;
      this.active++;
      void this.work(intent).finally(() => {
        this.queued.delete(id);
        this.active--;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) this.idle.splice(0).forEach((resolve) => resolve());
      });
    }
  }

  /**
   * Processes an intent this process holds: first making sure the lease is still ours (it may have
   * expired while the intent waited, and another replica taken it over), then under renewals.
   * A failure leaves it pending for a later sweep.
   */
  private async work(intent: Intent): Promise<void> {
    const { store, owner, leaseMs, log } = this.options;
    const { deliveryId } = intent;
    const first = this.fresh.delete(deliveryId);
    try {
      if (!(await store.extend(deliveryId, { owner, ttlMs: leaseMs, now: this.now() }))) {
        log.info({ deliveryId, event: intent.kind }, "event taken over by another replica meanwhile; leaving it to them");
        return;
      }
      await this.options.process(intent, { first });
      await store.done(deliveryId, "processed");
    } catch (err) {
      log.error({ err, deliveryId, event: intent.kind }, "processing failed; the event is tried again once its lease expires");
    }
  }

  /** Every third of a lease, the leases of intents waiting here or in progress are extended. */
  private renewLeases(): void {
    if (this.renewer || this.queued.size === 0) return;
    const { store, owner, leaseMs } = this.options;
    this.renewer = setInterval(() => {
      if (this.queued.size === 0) {
        clearInterval(this.renewer);
        this.renewer = undefined;
        return;
      }
      for (const id of this.queued.keys()) void store.extend(id, { owner, ttlMs: leaseMs, now: this.now() }).catch(() => undefined);
    }, Math.max(1, Math.floor(leaseMs / 3)));
    this.renewer.unref();
  }
}
