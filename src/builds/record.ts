import type { VariableSource } from "../variables/types.js";
import type { BuildSnapshot, BuildStatus } from "./runner.js";
import type { BuildPlan, RepositoryRef, Trigger } from "./trigger.js";

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
  /** The runner's last report of the build (phases, times, log location), for the log page. */
  snapshot?: BuildSnapshot;
  completed: boolean;
  createdAt: string;
}

/** Where build records live: memory for now, the app's table later. */
export interface BuildRecordStore {
  put(record: BuildRecord): Promise<void>;
  get(deploymentId: string): Promise<BuildRecord | undefined>;
  /** Builds that started and have not completed. */
  listRunning(): Promise<BuildRecord[]>;
}
