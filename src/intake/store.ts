import type { Intent } from "./intent.js";

/** A recorded intent and where its processing stands. */
export interface StoredIntent {
  intent: Intent;
  /** When intake recorded it (ISO 8601). */
  receivedAt: string;
  /** Processing attempts so far (a claim counts as one). */
  attempts: number;
}

/**
 * Durable intake (SPEC 8): one item per delivery, written by a conditional put keyed by the delivery
 * id, so a duplicate delivery is recognised by any replica, before or after a restart. An intent is
 * pending until processed; whoever processes it holds a lease on it (owner and expiry), so a crashed
 * replica's intents are taken over once the lease expires and never processed twice at once.
 */
export interface IntakeStore {
  /**
   * Records the intent, pending and leased to `owner` until `now + leaseMs`, as its first attempt. False when this delivery
   * id was recorded before (by anyone). `signal` bounds the write: GitHub must be answered in time.
   */
  record(intent: Intent, lease: { owner: string; ttlMs: number; now: number }, signal?: AbortSignal): Promise<boolean>;
  /** Whether a delivery id was ever recorded (pending or done). */
  has(deliveryId: string): Promise<boolean>;
  /** Pending intents whose lease has expired at `now`, oldest first, at most `limit`. */
  expired(now: number, limit: number): Promise<StoredIntent[]>;
  /** Takes (or extends) the lease of a pending intent; false when another owner holds a live lease or it is done. Counts an attempt. */
  claim(deliveryId: string, lease: { owner: string; ttlMs: number; now: number }): Promise<boolean>;
  /** Extends a lease `owner` holds (while processing goes on), without counting an attempt; false when it is no longer held. */
  extend(deliveryId: string, lease: { owner: string; ttlMs: number; now: number }): Promise<boolean>;
  /** Processing finished (or was given up): the intent leaves the pending set and stays for duplicate detection. */
  done(deliveryId: string, outcome: "processed" | "abandoned"): Promise<void>;
  /** Gives a lease up at once (SIGTERM), when `owner` holds it. */
  release(deliveryId: string, owner: string): Promise<void>;
  /** Deletes done intents recorded before `before` (ISO 8601); returns how many. */
  purge(before: string): Promise<number>;
}
