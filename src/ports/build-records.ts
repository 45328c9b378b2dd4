import type { MaskedText } from "../variables/masking.js";
import type { VariableSource } from "../domain/variables.js";
import type { BuildPhase, BuildSnapshot, BuildStatus } from "../domain/build.js";
import type { BuildPlan, RepositoryRef, Trigger } from "../domain/trigger.js";

/**
 * What the app keeps about one build: enough to watch it, update its check run,
 * stop it, and re-run it. Keyed by the deployment id, which is also the check
 * run's `external_id` and the build's DEPLOYMENT_ID.
 */
export interface BuildRecord {
  deploymentId: string;
  installationId: number;
  repository: RepositoryRef;
  trigger: Trigger;
  plan: BuildPlan;
  checkName: string;
  checkRunId: number;
  /** `log_lines` of the config the build started with: lines in the check run's excerpt. */
  excerptLines: number;
  /** The build's variables by name and layer, for the summary; never their values. */
  variables: { name: string; source: VariableSource }[];
  /** Secrets the build received, whose values are masked wherever the app writes. */
  secretIds: string[];
  /** How far the watcher has read the build's log: CloudWatch's token expires after a day, so it is kept here. */
  logCursor?: string;
  /** The runner's build id, once StartBuild answered. */
  buildId?: string;
  status: BuildStatus;
  /** The runner's last report of the build (phases, times, log location), for the log page; its phase messages masked. */
  snapshot?: RecordedSnapshot;
  /** The values the build hid with `::add-mask::`, and whether masking is full, sealed with the app's key (BuildSeal). */
  sealedAddMasks?: string;
  completed: boolean;
  createdAt: string;
  /**
   * The commit whose build stopped this one (`cancel_in_progress`). Kept apart from the rest of the
   * record (see `BuildRecordStore.markSuperseded`), so a writer of the record never erases it.
   */
  supersededBy?: string;
  /** The replica that watches the build, as read; `put` never writes it (see BuildWatchers). */
  watchedBy?: string;
}

/** A phase as a record keeps it: CodeBuild's messages may quote the build's output, so they are kept masked. */
export interface RecordedPhase extends Omit<BuildPhase, "messages"> {
  messages: MaskedText[];
}

/** A runner's report as a record keeps it (see RecordedPhase). */
export interface RecordedSnapshot extends Omit<BuildSnapshot, "phases"> {
  phases: RecordedPhase[];
}

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
