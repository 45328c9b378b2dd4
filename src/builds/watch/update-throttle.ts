import { createHash } from "node:crypto";

/** A check-run update the watcher would send; the last one it claimed is kept with the build (CheckRunProgress). */
export interface CheckUpdate {
  /** CodeBuild's current phase: a change is reported at once. */
  phase: string | undefined;
  completed: boolean;
  /** `updateFingerprint` of the state and output to send: equal fingerprints mean nothing changed. */
  fingerprint: string;
}

export interface SentCheckUpdate extends CheckUpdate {
  /** When it was sent (ms since the epoch). */
  at: number;
}

export function updateFingerprint(update: unknown): string {
  return createHash("sha256").update(JSON.stringify(update)).digest("base64url");
}

/**
 * Whether `next` should be sent: never when nothing changed; at once for the first update, a
 * completion or a new phase; otherwise once `intervalMs` (CHECK_UPDATE_INTERVAL_MS) has passed.
 */
export function checkUpdateDue(last: SentCheckUpdate | undefined, next: CheckUpdate, now: number, intervalMs: number): boolean {
  if (!last) return true;
  if (last.fingerprint === next.fingerprint) return false;
  return next.completed || next.phase !== last.phase || now - last.at >= intervalMs;
}
