import type { Logger } from "pino";
import { backgroundClock, type Clock } from "../domain/clock.js";
import { holdingOf } from "../replicas/holding.js";
import type { Replica } from "../replicas/replica.js";
import type { FairQueue } from "./fair-queue.js";
import type { Intent } from "../ports/intent.js";
import type { IntakeStore } from "../ports/intake-store.js";
import { GITHUB_DELIVERY_RETENTION_MS } from "../domain/github-deliveries.js";

/**
 * GitHub gives up on a delivery after 10 seconds; the record is written well within that, or the
 * answer is a 5xx and the delivery counts as failed (which redelivery then picks up).
 */
export const INTAKE_WRITE_DEADLINE_MS = 3_000;
/** An intent that failed this often is given up (and logged), so one bad event cannot retry forever. */
export const MAX_PROCESSING_ATTEMPTS = 5;
/** Intents processed at once, all installations together. */
export const PROCESSING_SLOTS = 8;
/** Intents of one installation started at once: a burst of one installation leaves slots for the others. */
export const PROCESSING_SLOTS_PER_INSTALLATION = 4;
/** Pending intents taken over in one sweep. */
const SWEEP_BATCH = 100;
/** Done intents are kept this long to recognise a redelivered duplicate: GitHub's redelivery window, plus a day's margin. */
export const DONE_INTENTS_KEPT_MS = GITHUB_DELIVERY_RETENTION_MS + 24 * 3_600_000;
/** How often old done intents are deleted. */
const PURGE_EVERY_MS = 3_600_000;

/** A failed intent is tried again after a lease, then after one more lease each time. */
export function retryDelayMs(leaseMs: number, attempts: number): number {
  return leaseMs * Math.max(1, attempts);
}

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
  /** This process among the replicas: its name on the intents it takes, and what it knows of the others. */
  replica: Replica;
  /** LEASE_DURATION_MS: failed intents are tried again after it (doubling each time). */
  leaseMs: number;
  /** Where intents wait for their installation's turn and a slot. */
  queue: FairQueue;
  /**
   * Hands a recorded intent to another worker instead of processing it here (AWS Lambda: the
   * processor's queue). It is recorded taken by nobody, so whichever worker gets it first takes it;
   * if handing it over fails, the sweep finds it pending.
   */
  dispatch?: (intent: Intent) => Promise<void>;
  clock?: Clock;
}

/**
 * Durable intake (SPEC 8): the webhook handler records an intent in the table and answers; this
 * process then works on it, named on it as its replica. Intents a dead or stopped replica left
 * pending are taken over once that replica's heartbeat ran out, by whichever replica claims them
 * first: a sweep looks for them at start-up, every third of a lease and as soon as a replica is
 * found gone. Intents wait per installation and are started in turn (FairQueue), so one
 * installation's burst never holds up another's.
 */
export class DurableIntake {
  /** Intents recorded by this process and not yet attempted: their processing knows nothing of them exists yet. */
  private readonly fresh = new Set<string>();
  private started = false;
  private cancelNextSweep: (() => void) | undefined;
  private cancelDeathSweep: (() => void) | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;
  private purgedAt = -Infinity;
  private readonly clock: Clock;

  constructor(private readonly options: DurableIntakeOptions) {
    this.clock = options.clock ?? backgroundClock;
  }

  private now(): number {
    return this.clock.now();
  }

  /**
   * Records a delivery's intent; false when the delivery was recorded before (by any replica).
   * Throws when the record cannot be written in time: the webhook must then be answered with a 5xx.
   */
  async record(intent: Intent): Promise<boolean> {
    const { store, replica, dispatch, log } = this.options;
    const by = dispatch ? undefined : replica.id;
    const recorded = await store.record(intent, { ...(by !== undefined && { by }), now: this.now() }, AbortSignal.timeout(INTAKE_WRITE_DEADLINE_MS));
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
   * Processes an intent handed over by `dispatch` (the processor's queue message), once it is
   * taken here; resolves when it is done. Nothing happens when it was processed already, or a live
   * replica has it.
   */
  async take(intent: Intent): Promise<void> {
    const { store, replica } = this.options;
    await replica.alive();
    const holder = await store.holderOf(intent.deliveryId);
    if (!holder) return;
    const liveness = await replica.liveness([holder.takenBy]);
    if (holdingOf(holder.takenBy, replica.id, liveness, this.now()) === "held") return;
    if (!(await store.claim(intent.deliveryId, replica.id, holder.takenBy))) return;
    this.enqueue(intent);
    await this.drained();
  }

  /**
   * Sweeps at once, then every beat of the replica's heartbeat, and as soon as a replica known to
   * live is found gone (its intents wait no longer than its heartbeat).
   */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const every = () => {
      this.cancelNextSweep = this.clock.setTimer(this.options.replica.beatEveryMs, () => void this.sweep().finally(every));
    };
    void this.sweep();
    every();
  }

  /** Takes over pending intents nobody live works on; overlapping calls share one sweep. */
  sweep(): Promise<void> {
    this.sweeping ??= this.takeOver()
      .then(() => this.sweepWhenOneGoes())
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** The live replicas' intents are not read by sweeps: should one of them die, its intents are looked for at once. */
  private sweepWhenOneGoes(): void {
    this.cancelDeathSweep?.();
    if (!this.started || this.stopped) return;
    const { replica } = this.options;
    this.cancelDeathSweep = replica.whenGone(replica.knownLive(), () => void this.sweep());
  }

  /** Resolves once everything taken so far is processed. */
  drained(): Promise<void> {
    return this.options.queue.drained();
  }

  /**
   * SIGTERM: no more sweeps, intents not yet started are handed back (so another replica takes
   * them at once), and the ones in progress finish.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelNextSweep?.();
    this.cancelDeathSweep?.();
    await this.sweeping;
    const { store, replica, queue } = this.options;
    const waiting = queue.removeWaiting();
    for (const id of waiting) this.fresh.delete(id);
    await Promise.all(waiting.map((id) => store.release(id, replica.id).catch(() => undefined)));
    await this.drained();
  }

  private async takeOver(): Promise<void> {
    const { store, replica, queue, log } = this.options;
    try {
      await replica.alive();
      // Once an hour this replica's own intents are looked at too: one out of its queue is one whose
      // processing ended without a word in the table (a write that failed), and is taken again.
      const ownToo = this.now() - this.purgedAt >= PURGE_EVERY_MS;
      const except = new Set([...(ownToo ? [] : [replica.id]), ...replica.knownLive()]);
      const pending = (await store.pending(this.now(), SWEEP_BATCH, except)).filter((s) => !queue.has(s.intent.deliveryId));
      const liveness = await replica.liveness(pending.map((s) => s.takenBy));
      for (const stored of pending) {
        if (this.stopped) return;
        const { deliveryId } = stored.intent;
        if (holdingOf(stored.takenBy, replica.id, liveness, this.now()) === "held") continue;
        // Attempts that ended without a word (the process died each time) count too.
        if (stored.attempts >= MAX_PROCESSING_ATTEMPTS) {
          await this.giveUp(stored.intent, stored.attempts);
          continue;
        }
        if (!(await store.claim(deliveryId, replica.id, stored.takenBy))) continue;
        log.info({ deliveryId, event: stored.intent.kind, attempts: stored.attempts + 1, from: stored.takenBy }, "pending event taken over");
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
    if (this.stopped) return;
    this.options.queue.add(intent.installationId, intent.deliveryId, () => this.work(intent));
  }

  /**
   * Processes an intent this replica took: first making sure it still has it (another replica may
   * have taken it over while it waited, had this one's heartbeat run out). A failure hands it back,
   * to be tried again later by any replica.
   */
  private async work(intent: Intent): Promise<void> {
    const { store, replica, leaseMs, log } = this.options;
    const { deliveryId } = intent;
    const first = this.fresh.delete(deliveryId);
    const holder = await store.holderOf(deliveryId).catch(() => undefined);
    if (holder?.takenBy !== replica.id) {
      log.info({ deliveryId, event: intent.kind }, "event no longer held here (done, or taken over by another replica); leaving it");
      return;
    }
    try {
      await this.options.process(intent, { first });
      await store.done(deliveryId, "processed");
    } catch (err) {
      if (holder.attempts >= MAX_PROCESSING_ATTEMPTS) {
        log.error({ err, deliveryId, event: intent.kind }, "processing failed");
        return this.giveUp(intent, holder.attempts).catch((error: unknown) =>
          log.warn({ err: error, deliveryId }, "giving a failed event up failed; the next sweep does"),
        );
      }
      const retryAt = this.now() + retryDelayMs(leaseMs, holder.attempts);
      log.error({ err, deliveryId, event: intent.kind, retryAt: new Date(retryAt).toISOString() }, "processing failed; the event is tried again later");
      await store
        .release(deliveryId, replica.id, retryAt)
        .catch((error: unknown) => log.warn({ err: error, deliveryId }, "handing a failed event back failed; the next sweep takes it up"));
    }
  }

  /** The last attempt failed: the app closes what the intent began (its check run), and the intent is done. */
  private async giveUp(intent: Intent, attempts: number): Promise<void> {
    const { store, log } = this.options;
    const { deliveryId } = intent;
    log.error({ deliveryId, event: intent.kind, attempts }, "event given up after repeated failures");
    await this.options.onGiveUp?.(intent, attempts).catch((err: unknown) => log.warn({ err, deliveryId }, "closing what a given-up event began failed"));
    await store.done(deliveryId, "abandoned");
  }
}
