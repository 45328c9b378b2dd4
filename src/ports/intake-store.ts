import type { Intent } from "./intent.js";

/** A recorded intent and where its processing stands. */
export interface StoredIntent {
  intent: Intent;
  /** When intake recorded it (ISO 8601). */
  receivedAt: string;
  /** Processing attempts so far (each replica that took it counts one). */
  attempts: number;
  /** The replica working on it, if any. */
  takenBy?: string;
}

/** Who holds a pending intent. */
export interface IntentHolder {
  takenBy?: string;
  attempts: number;
}

/**
 * Durable intake (SPEC 8): one item per delivery, written by a conditional put keyed by the delivery
 * id, so a duplicate delivery is recognised by any replica, before or after a restart. An intent is
 * pending until processed; the replica working on it is named on it (`takenBy`) and keeps it while
 * its heartbeat lives (src/replicas), so a dead replica's intents are taken over once its heartbeat
 * runs out, each by one replica (a conditional write from the holder seen).
 */
export interface IntakeStore {
  /**
   * Records the intent, pending, taken by `by` as its first attempt (or by nobody, to be handed
   * over). False when this delivery id was recorded before (by anyone). `signal` bounds the write:
   * GitHub must be answered in time.
   */
  record(intent: Intent, taken: { by?: string; now: number }, signal?: AbortSignal): Promise<boolean>;
  /** Whether a delivery id was ever recorded (pending or done). */
  has(deliveryId: string): Promise<boolean>;
  /**
   * Pending intents due at `now` (not waiting to be tried again later), oldest first, at most
   * `limit`, leaving out those taken by a replica in `except` (the ones known to live).
   */
  pending(now: number, limit: number, except: ReadonlySet<string>): Promise<StoredIntent[]>;
  /** Who holds a pending intent, read consistently; undefined when it is done or unknown. */
  holderOf(deliveryId: string): Promise<IntentHolder | undefined>;
  /** Takes a pending intent for `by` if `from` still holds it (undefined: nobody); counts an attempt. False when someone else moved first, or it is done. */
  claim(deliveryId: string, by: string, from: string | undefined): Promise<boolean>;
  /** Processing finished (or was given up): the intent leaves the pending set and stays for duplicate detection. */
  done(deliveryId: string, outcome: "processed" | "abandoned"): Promise<void>;
  /** Gives the intent up when `by` holds it: any replica may take it, from `retryAt` on when given (ms since the epoch). */
  release(deliveryId: string, by: string, retryAt?: number): Promise<void>;
  /** Deletes done intents recorded before `before` (ISO 8601); returns how many. */
  purge(before: string): Promise<number>;
}
