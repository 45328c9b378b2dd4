import { setTimeout as sleep } from "node:timers/promises";

/**
 * Enough for real contention between a few writers, even on a starved machine (two writers whose
 * attempts are slow collide often); more means something keeps interfering.
 */
const MAX_ATTEMPTS = 20;

/** Exponential backoff with full jitter, so writers that collided do not collide again. */
export function pause(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
}

/**
 * Runs `attempt` until it returns a result; undefined means it lost a race with another writer and
 * must start over from a fresh read.
 */
export async function retryOnConflict<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== undefined) return result;
    await pause(i);
  }
  throw new Error(`${what} kept conflicting with concurrent changes ${MAX_ATTEMPTS} times in a row: try again`);
}

/** DynamoDB's answer when a write's condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
