import { TtlCache } from "../../lib/ttl-cache.js";
import type { SecretStore } from "../../ports/variable-store.js";

/** How long a fetched secret value is reused, so a watcher tick does not ask Secrets Manager for every build. */
export const SECRET_VALUES_TTL_MS = 60_000;

interface Fetched {
  value: string | undefined;
  fetchedAt: number;
}

/**
 * Secret values, fetched only to mask them (SPEC 5) and kept briefly. Deliberately without a
 * logger: nothing here may ever write a value anywhere.
 */
export class SecretValues {
  private readonly cache: TtlCache<Fetched>;

  constructor(
    private readonly store: SecretStore,
    private readonly now: () => number = Date.now,
    ttlMs = SECRET_VALUES_TTL_MS,
  ) {
    this.cache = new TtlCache(ttlMs, now);
  }

  /**
   * The values of the given secrets (names or ARNs), without those that have none. Values fetched
   * before `fetchedSince` (ms) are fetched again: pass the time a build started, so a secret changed
   * just before it is masked with the value the build received, not one cached earlier.
   */
  async valuesOf(secretIds: Iterable<string>, fetchedSince = -Infinity): Promise<string[]> {
    const fetched = await Promise.all([...new Set(secretIds)].map((id) => this.fetch(id, fetchedSince)));
    return [...new Set(fetched.flatMap((f) => (f.value === undefined ? [] : [f.value])))];
  }

  private async fetch(secretId: string, fetchedSince: number): Promise<Fetched> {
    const cached = this.cache.get(secretId);
    if (cached && cached.fetchedAt >= fetchedSince) return cached;
    const fetchedAt = this.now();
    const fetched = { value: await this.store.getValue(secretId), fetchedAt };
    this.cache.set(secretId, fetched);
    return fetched;
  }
}
