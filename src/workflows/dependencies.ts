import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import type { GitHubWriteBudgets } from "../ports/write-budget.js";
import type { BuildLogStore, LogSource } from "../ports/build-logs.js";
import type { BuildRecordStore } from "../ports/build-records.js";
import type { CheckRuns } from "../ports/check-runs.js";
import type { LogMasking } from "../log-masking.js";
import type { BuildSeal } from "../secrets/build-seal.js";
import type { DeploymentComments, Deployments } from "../ports/deployments.js";
import type { SecretTags } from "./variables/secret-tags.js";
import type { Settings } from "../settings.js";
import type { VariableEditor } from "./variables/editor.js";
import type { AppMetrics } from "../metrics/registry.js";
import type { SecretValues } from "./variables/secret-values.js";
import type { SecretStore, VariableStore } from "../ports/variable-store.js";
import type { BuildRunner } from "../ports/build-runner.js";

/** What handlers, processing and the watcher act through; tests swap any of it. */
export interface Dependencies {
  settings: Settings;
  runner: BuildRunner;
  records: BuildRecordStore;
  variables: VariableStore;
  secrets: SecretStore;
  editor: VariableEditor;
  secretTags: SecretTags;
  /** Secret values, only to mask them. */
  secretValues: SecretValues;
  /** Seals what is kept with a build that only the app may read (its `::add-mask::` values). */
  seal: BuildSeal;
  /** Keeps secret values out of the app's own log lines. */
  logMasking: LogMasking;
  /** Where build logs are read (CloudWatch Logs). */
  logs: LogSource;
  /** Where the watcher keeps what it read, masked. */
  logStore: BuildLogStore;
  metrics: AppMetrics;
  /** GitHub deployments and their statuses (`deployment: true`), through the write budget. */
  deployments: Deployments;
  /** The deployment comment of each pull request, through the write budget. */
  deploymentComments: DeploymentComments;
  /** Every check-run and comment write of an installation waits its turn here (GITHUB_WRITES_PER_MINUTE). */
  writes: GitHubWriteBudgets;
  /** Every check-run write: budgeted, coalesced and masked there. */
  checkRuns: CheckRuns;
  /** An Octokit authenticated as the app's installation. */
  github(installationId: number): Promise<ProbotOctokit>;
  log: Logger;
}
