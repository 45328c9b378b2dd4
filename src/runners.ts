import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { CloudWatchLogSource } from "./adapters/aws/cloudwatch-logs.js";
import { CodeBuildRunner } from "./adapters/aws/codebuild.js";
import { LocalLogSource } from "./adapters/local/local-logs.js";
import { LocalRunner } from "./adapters/local/runner.js";
import { describeLocalRunner, localRunnerWarnings } from "./adapters/local/runner-setup.js";
import type { LogSource } from "./builds/logs.js";
import type { BuildRunner, StartBuildRequest } from "./builds/runner.js";
import { instrumentAwsClient } from "./metrics/aws.js";
import type { AppMetrics } from "./metrics/registry.js";
import type { Settings } from "./settings.js";
import type { SecretStore } from "./variables/store.js";

export interface Runner {
  runner: BuildRunner;
  /** Where the watcher reads the builds' logs. */
  logs: LogSource;
  /** What to say at start-up, and what to warn of. */
  description: string[];
  warnings: string[];
  close(): Promise<void>;
}

export interface RunnerContext {
  settings: Settings;
  secrets: SecretStore;
  /** GitHub as the app (a JWT), to make installation tokens. */
  appOctokit: () => Promise<ProbotOctokit>;
  metrics: AppMetrics;
  log: Logger;
}

/** CodeBuild and CloudWatch Logs (AWS), or bash on this machine with logs under DATA_DIR (RUNNER=local). */
export async function openRunner(context: RunnerContext): Promise<Runner> {
  const { settings, metrics, log } = context;
  if (settings.runner === "local") {
    const runner = new LocalRunner({
      dataDir: settings.dataDir,
      fetchToken: (request) => fetchToken(context.appOctokit, request),
      secretValue: (name) => context.secrets.getValue(name),
      log,
    });
    const setup = await runner.setup();
    return {
      runner,
      logs: new LocalLogSource(settings.dataDir),
      description: describeLocalRunner(setup),
      warnings: localRunnerWarnings(setup),
      close: () => runner.close(),
    };
  }
  const codebuild = new CodeBuildClient({ retryMode: "adaptive" });
  const cloudWatchLogs = new CloudWatchLogsClient({ retryMode: "adaptive" });
  instrumentAwsClient(codebuild, metrics);
  instrumentAwsClient(cloudWatchLogs, metrics);
  return {
    runner: new CodeBuildRunner(codebuild),
    logs: new CloudWatchLogSource(cloudWatchLogs),
    description: [`Builds run in AWS CodeBuild (default project ${settings.codebuild.defaultProject ?? "none"}); logs are read from CloudWatch Logs`],
    warnings: [],
    close: async () => undefined,
  };
}

/**
 * A token for one fetch (SPEC 9): limited to the build's repository and `contents: read`, so a
 * build that leaks it can read that repository's code and nothing else, for an hour at most.
 */
async function fetchToken(appOctokit: () => Promise<ProbotOctokit>, request: StartBuildRequest): Promise<string> {
  const octokit = await appOctokit();
  const { data } = await octokit.rest.apps.createInstallationAccessToken({
    installation_id: request.installationId,
    repository_ids: [request.repositoryId],
    permissions: { contents: "read" },
  });
  return data.token;
}
