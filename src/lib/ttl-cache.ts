/** How long the API trusts what GitHub said about a token or a permission (SPEC 7: at most a minute). */
export const GITHUB_ANSWER_TTL_MS = 60_000;

/**
 * Answers kept for a short time, so a burst of API calls asks GitHub once. Bounded: when full,
 * expired answers go first, then the oldest, so a flood of distinct keys cannot grow memory.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps `value` for the cache's time, or until `expiresAt` (ms) when that comes sooner. */
  set(key: string, value: V, expiresAt?: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.makeRoom();
    this.entries.set(key, { value, expiresAt: Math.min(this.now() + this.ttlMs, expiresAt ?? Infinity) });
  }

  private makeRoom(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    const oldest = this.entries.keys().next();
    if (this.entries.size >= this.maxEntries && !oldest.done) this.entries.delete(oldest.value);
  }
}
