import type { Intent } from "../../intake/intent.js";
import type { IntakeStore, StoredIntent } from "../../intake/store.js";

type Lease = Parameters<IntakeStore["claim"]>[1];

interface Entry extends StoredIntent {
  status: "pending" | "processed" | "abandoned";
  lease?: { owner: string; until: number };
}

/** Recorded intents in this process's memory: for tests and benchmarks. Same rules as the DynamoDB store. */
export class MemoryIntakeStore implements IntakeStore {
  private readonly entries = new Map<string, Entry>();

  /** The first attempt is the recorder's own, so `attempts` starts at 1. */
  async record(intent: Intent, lease: Lease, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    if (this.entries.has(intent.deliveryId)) return false;
    this.entries.set(intent.deliveryId, {
      intent: structuredClone(intent),
      receivedAt: new Date(lease.now).toISOString(),
      attempts: 1,
      status: "pending",
      lease: { owner: lease.owner, until: lease.now + lease.ttlMs },
    });
    return true;
  }

  async has(deliveryId: string): Promise<boolean> {
    return this.entries.has(deliveryId);
  }

  async expired(now: number, limit: number): Promise<StoredIntent[]> {
    return [...this.entries.values()]
      .filter((e) => e.status === "pending" && leaseFree(e, now))
      .sort((a, b) => compare(orderOf(a), orderOf(b)))
      .slice(0, Math.max(0, limit))
      .map(({ intent, receivedAt, attempts }) => ({ intent: structuredClone(intent), receivedAt, attempts }));
  }

  async claim(deliveryId: string, lease: Lease): Promise<boolean> {
    const entry = this.entries.get(deliveryId);
    if (entry?.status !== "pending" || !(leaseFree(entry, lease.now) || entry.lease?.owner === lease.owner)) return false;
    entry.lease = { owner: lease.owner, until: lease.now + lease.ttlMs };
    entry.attempts++;
    return true;
  }

  /** Also after the lease ran out, as long as nobody claimed the intent meanwhile. */
  async extend(deliveryId: string, lease: Lease): Promise<boolean> {
    const entry = this.entries.get(deliveryId);
    if (entry?.status !== "pending" || entry.lease?.owner !== lease.owner) return false;
    entry.lease = { owner: lease.owner, until: lease.now + lease.ttlMs };
    return true;
  }

  async done(deliveryId: string, outcome: "processed" | "abandoned"): Promise<void> {
    const entry = this.entries.get(deliveryId);
    if (!entry) return;
    entry.status = outcome;
    delete entry.lease;
  }

  async release(deliveryId: string, owner: string): Promise<void> {
    const entry = this.entries.get(deliveryId);
    if (entry?.lease?.owner === owner) delete entry.lease;
  }

  async purge(before: string): Promise<number> {
    const cutoff = Date.parse(before);
    if (Number.isNaN(cutoff)) throw new RangeError(`Purging intents needs a time in ISO 8601 (like 2024-05-01T12:00:00Z), not "${before}"`);
    const old = [...this.entries].filter(([, e]) => e.status !== "pending" && Date.parse(e.receivedAt) < cutoff);
    for (const [deliveryId] of old) this.entries.delete(deliveryId);
    return old.length;
  }
}

function leaseFree(entry: Entry, now: number): boolean {
  return entry.lease === undefined || entry.lease.until <= now;
}

/** The order of the DynamoDB store's index: receipt time, then delivery id. */
function orderOf(entry: Entry): string {
  return `${entry.receivedAt}#${entry.intent.deliveryId}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
