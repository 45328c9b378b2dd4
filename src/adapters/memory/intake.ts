import type { Intent } from "../../ports/intent.js";
import type { IntakeStore, IntentHolder, StoredIntent } from "../../ports/intake-store.js";

interface Entry extends StoredIntent {
  status: "pending" | "processed" | "abandoned";
  retryAt?: number;
}

/** Recorded intents in this process's memory: for tests and benchmarks. Same rules as the DynamoDB store. */
export class MemoryIntakeStore implements IntakeStore {
  private readonly entries = new Map<string, Entry>();

  async record(intent: Intent, taken: { by?: string; now: number }, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    if (this.entries.has(intent.deliveryId)) return false;
    this.entries.set(intent.deliveryId, {
      intent: structuredClone(intent),
      receivedAt: new Date(taken.now).toISOString(),
      attempts: taken.by === undefined ? 0 : 1,
      status: "pending",
      ...(taken.by !== undefined && { takenBy: taken.by }),
    });
    return true;
  }

  async has(deliveryId: string): Promise<boolean> {
    return this.entries.has(deliveryId);
  }

  async pending(now: number, limit: number, except: ReadonlySet<string>): Promise<StoredIntent[]> {
    return [...this.entries.values()]
      .filter((e) => e.status === "pending" && (e.retryAt === undefined || e.retryAt <= now) && !(e.takenBy !== undefined && except.has(e.takenBy)))
      .sort((a, b) => compare(orderOf(a), orderOf(b)))
      .slice(0, Math.max(0, limit))
      .map(({ intent, receivedAt, attempts, takenBy }) => ({
        intent: structuredClone(intent),
        receivedAt,
        attempts,
        ...(takenBy !== undefined && { takenBy }),
      }));
  }

  async holderOf(deliveryId: string): Promise<IntentHolder | undefined> {
    const entry = this.entries.get(deliveryId);
    if (entry?.status !== "pending") return undefined;
    return { attempts: entry.attempts, ...(entry.takenBy !== undefined && { takenBy: entry.takenBy }) };
  }

  async claim(deliveryId: string, by: string, from: string | undefined): Promise<boolean> {
    const entry = this.entries.get(deliveryId);
    if (entry?.status !== "pending" || entry.takenBy !== from) return false;
    entry.takenBy = by;
    delete entry.retryAt;
    entry.attempts++;
    return true;
  }

  async done(deliveryId: string, outcome: "processed" | "abandoned"): Promise<void> {
    const entry = this.entries.get(deliveryId);
    if (!entry) return;
    entry.status = outcome;
    delete entry.takenBy;
    delete entry.retryAt;
  }

  async release(deliveryId: string, by: string, retryAt?: number): Promise<void> {
    const entry = this.entries.get(deliveryId);
    if (entry?.takenBy !== by) return;
    delete entry.takenBy;
    if (retryAt !== undefined) entry.retryAt = retryAt;
  }

  async purge(before: string): Promise<number> {
    const cutoff = Date.parse(before);
    if (Number.isNaN(cutoff)) throw new RangeError(`Purging intents needs a time in ISO 8601 (like 2024-05-01T12:00:00Z), not "${before}"`);
    const old = [...this.entries].filter(([, e]) => e.status !== "pending" && Date.parse(e.receivedAt) < cutoff);
    for (const [deliveryId] of old) this.entries.delete(deliveryId);
    return old.length;
  }
}

/** The order of the DynamoDB store's index: receipt time, then delivery id. */
function orderOf(entry: Entry): string {
  return `${entry.receivedAt}#${entry.intent.deliveryId}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
