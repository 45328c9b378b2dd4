import type { BuildDeployment } from "../deployments/deployment.js";
import { deployUrlOf, type DeployUrl } from "../deployments/deploy-url.js";
import type { BuildPhase, BuildSnapshot, BuildStatus } from "../domain/build.js";
import type { BuildPlan, RepositoryRef, Trigger } from "../domain/trigger.js";
import type { VariableSource } from "../domain/variables.js";
import type { Masker, MaskedText } from "../variables/masking.js";

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
  /** The build's GitHub deployment (`deployment: true`), made before StartBuild. */
  deployment?: BuildDeployment;
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

/**
 * A runner's report as a record keeps it (see RecordedPhase). Of the exported variables, only where
 * the build deployed is kept, checked and masked: the others may hold anything.
 */
export interface RecordedSnapshot extends Omit<BuildSnapshot, "phases" | "exportedVariables"> {
  phases: RecordedPhase[];
  deployUrl?: DeployUrl;
}

/**
 * The runner's report as a record keeps it: phase messages masked, and of the exported variables only
 * DEPLOY_URL, checked and masked. An untrusted build's DEPLOY_URL is never read: its code would
 * choose the link that the app shows as its deployment.
 */
export function recordedSnapshot(snapshot: BuildSnapshot, masker: Pick<Masker, "mask">, trusted: boolean): RecordedSnapshot {
  const { exportedVariables, ...rest } = snapshot;
  const deployUrl = trusted ? deployUrlOf(exportedVariables, masker) : undefined;
  return {
    ...rest,
    phases: snapshot.phases.map((phase) => ({ ...phase, messages: phase.messages.map((m) => masker.mask(m)) })),
    ...(deployUrl && { deployUrl }),
  };
}
