import type { BuildRecord } from "../builds/build-record.js";
import type { Trigger } from "../domain/trigger.js";

/** The record's shape is the core's: the watcher's pure step keeps one too. */
export type { BuildRecord, RecordedPhase, RecordedSnapshot } from "../builds/build-record.js";

/**
 * Where build records live: the app's table, shared by every replica. A record is written whole by
 * whoever owns that moment of the build (processing, then the replica watching it);
 * `supersededBy` and `watchedBy` are separate attributes that `put` never touches.
 */
export interface BuildRecordStore {
  /** Creates or replaces the record (never its `supersededBy` or `watchedBy`, which are ignored here). */
  put(record: BuildRecord): Promise<void>;
  get(deploymentId: string): Promise<BuildRecord | undefined>;
  /** Builds that started (have a `buildId`) and have not completed, from every replica, with who watches them. */
  listRunning(): Promise<BuildRecord[]>;
  /** Marks a build as stopped in favour of a newer commit's build; the watcher then completes it so. */
  markSuperseded(deploymentId: string, bySha: string): Promise<void>;
  /**
   * Keeps the trigger of a check run that was completed without a build (skipped, needs approval,
   * invalid config), so a re-run can find it by the run's `external_id`.
   */
  rememberTrigger(deploymentId: string, trigger: Trigger): Promise<void>;
  /** The trigger recorded for a deployment id: a build's, or one kept by `rememberTrigger`. */
  triggerOf(deploymentId: string): Promise<Trigger | undefined>;
}

/**
 * One replica at a time watches a build (SPEC 8): the record names it (`watchedBy`), and the build
 * stays its own while that replica's heartbeat lives (src/replicas), without any write per build.
 * A replica takes a build over with a conditional write from the watcher it saw (nobody, or one
 * whose heartbeat ran out), so of several trying at once exactly one wins.
 */
export interface BuildWatchers {
  /** Makes `to` the build's watcher if `from` still is (undefined: nobody); false when another write came first, or there is no record. */
  takeOver(deploymentId: string, from: string | undefined, to: string): Promise<boolean>;
  /** Gives the build up at once (SIGTERM, the end of a Lambda pass) when `replica` watches it; otherwise does nothing. */
  release(deploymentId: string, replica: string): Promise<void>;
}
