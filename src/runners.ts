import { tmpdir } from "node:os";
import path from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { CloudWatchLogSource } from "./adapters/aws/cloudwatch-logs.js";
import { CodeBuildRunner } from "./adapters/aws/codebuild.js";
import { gitHubRepositorySource } from "./adapters/github/repository-source.js";
import { prepareDataDirectory } from "./adapters/local/data-directory.js";
import { LocalLogSource } from "./adapters/local/local-logs.js";
import { LocalRunner } from "./adapters/local/runner.js";
import { describeLocalRunner } from "./adapters/local/runner-setup.js";
import { openBubblewrap } from "./adapters/local/sandbox/bubblewrap.js";
import type { BuildSandbox } from "./adapters/local/sandbox/sandbox.js";
import { Unsandboxed } from "./adapters/local/sandbox/unsandboxed.js";
import type { LogSource } from "./ports/build-logs.js";
import { sharedTrustDomains } from "./builds/trust-domains.js";
import { nameFailedCalls } from "./adapters/aws/failed-calls.js";
import { instrumentAwsClient } from "./metrics/aws.js";
import type { AppMetrics } from "./metrics/registry.js";
import { SettingsError, type Settings } from "./settings.js";
import type { SecretStore } from "./ports/variable-store.js";
import type { BuildRunner } from "./ports/build-runner.js";

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
    await prepareDataDirectory(settings.dataDir);
    const workRoot = tmpdir();
    const sandbox = await openSandbox(settings, workRoot);
    const runner = new LocalRunner({
      dataDir: settings.dataDir,
      workRoot,
      sandbox,
      source: gitHubRepositorySource(context.appOctokit, settings.githubWebUrl),
      secretValue: (name) => context.secrets.getValue(name),
      concurrency: settings.local.concurrency,
      log,
    });
    await runner.sweep();
    // A build that cannot run says why on its check run; the operator hears it at start-up.
    const problem = await sandbox.userFor().then(
      (user) => sandbox.release(user),
      (error: unknown) => (error as Error).message,
    );
    return {
      runner,
      logs: new LocalLogSource(settings.dataDir),
      description: describeLocalRunner({ dataDir: settings.dataDir, workRoot, isolation: sandbox.description, concurrency: settings.local.concurrency }),
      warnings: [...sandbox.warnings, ...(problem ? [problem] : [])],
      close: () => runner.close(),
    };
  }
  const codebuildSettings = settings.codebuild;
  const codebuild = new CodeBuildClient({ retryMode: "adaptive" });
  const cloudWatchLogs = new CloudWatchLogsClient({ retryMode: "adaptive" });
  instrumentAwsClient(codebuild, metrics);
  instrumentAwsClient(cloudWatchLogs, metrics);
  nameFailedCalls(codebuild);
  return {
    runner: new CodeBuildRunner(codebuild),
    logs: new CloudWatchLogSource(cloudWatchLogs),
    description: [
      `Builds run in AWS CodeBuild (default project ${codebuildSettings.defaultProject ?? "none"}, ${rules(codebuildSettings.projectMap.length)}); logs are read from CloudWatch Logs`,
    ],
    warnings: trustWarnings(settings),
    close: async () => undefined,
  };
}

function rules(count: number): string {
  return count === 1 ? "1 rule in CODEBUILD_PROJECTS" : `${count} rules in CODEBUILD_PROJECTS`;
}

/** What the operator's settings let builds read, one line each, said at every start (SPEC 3, Trust domains). */
export function trustWarnings({ codebuild }: Pick<Settings, "codebuild">): string[] {
  return [
    ...sharedTrustDomains(codebuild.projectMap, codebuild.defaultProject),
    ...(codebuild.previewRole === undefined
      ? ["preview builds can read production secrets: set CODEBUILD_PREVIEW_ROLE to a role per project that reads only its secrets of all and preview"]
      : []),
  ];
}

/**
 * LOCAL_ISOLATION (SPEC 9): bubblewrap, tried at start-up, or the operator's explicit `none`. The
 * app's own paths are hidden from builds: DATA_DIR, its working directory (where Probot reads
 * `.env`), and the private key's file.
 */
async function openSandbox(settings: Settings, workRoot: string): Promise<BuildSandbox> {
  if (settings.local.isolation === "none") return new Unsandboxed(workRoot);
  const hidden = [settings.dataDir, process.cwd(), path.join(process.cwd(), ".env"), ...(settings.local.privateKeyPath ? [settings.local.privateKeyPath] : [])];
  const opened = await openBubblewrap({ hidden: hidden.map((p) => path.resolve(p)), workRoot, searchPath: process.env.PATH, appUid: process.getuid?.() });
  if (!opened.ok) throw new SettingsError(opened.problem);
  return opened.sandbox;
}
