import { startTestApp, WEBHOOK_SECRET, type TestApp } from "../../test/support/app.js";
import { FakeCloudWatchLogs } from "../../test/support/fake-cloudwatch-logs.js";
import { FakeCodeBuild } from "../../test/support/fake-codebuild.js";
import { examplePayload, sendWebhook } from "../../test/support/webhooks.js";
import { parseSettings } from "../../src/settings.js";
import { GitHubTraffic } from "./github-traffic.js";
import { LogReadQuota } from "./log-read-quota.js";

export const LOG_GROUP = "/aws/codebuild/bench";
const PROJECT = "bench";
const INSTALLATION_ID = 7;
/** A stopping app waits for its queued check-run writes; the scenario's process ends anyway after this. */
const STOP_WAIT_MS = 10_000;

/** The settings whose values the targets are stated in. */
export interface WatcherSettings {
  pollIntervalMs: number;
  checkUpdateIntervalMs: number;
  logsRps: number;
  githubWritesPerMinute: number;
}

/** The app's defaults, as its settings parser gives them. */
export function defaultWatcherSettings(): WatcherSettings {
  const { pollIntervalMs, checkUpdateIntervalMs, logsRps, githubWritesPerMinute } = parseSettings({});
  return { pollIntervalMs, checkUpdateIntervalMs, logsRps, githubWritesPerMinute };
}

/** The defaults with time running `factor` times faster: intervals shorter, rates higher. */
export function scaledWatcherSettings(factor: number): WatcherSettings {
  const d = defaultWatcherSettings();
  return {
    pollIntervalMs: d.pollIntervalMs / factor,
    checkUpdateIntervalMs: d.checkUpdateIntervalMs / factor,
    logsRps: d.logsRps * factor,
    githubWritesPerMinute: d.githubWritesPerMinute * factor,
  };
}

/** A fake commit id for build number `n`. */
export function benchSha(n: number): string {
  return n.toString(16).padStart(8, "0").repeat(5);
}

/** The real app (as `npm start` runs it) with CodeBuild, CloudWatch Logs and GitHub faked and measured. */
export interface BenchApp {
  app: TestApp;
  codebuild: FakeCodeBuild;
  logs: FakeCloudWatchLogs;
  logQuota: LogReadQuota;
  github: GitHubTraffic;
  /** Sends a push of commit `sha` to main, signed as GitHub signs it. */
  push(sha: string): Promise<void>;
  /** Stops everything, waiting at most STOP_WAIT_MS: the scenario's process ends after it anyway. */
  stop(): Promise<void>;
}

/** `timeScale`: how many times faster than real time the run goes (AWS's log quota is scaled with it). */
export async function startBenchApp(settings: WatcherSettings, timeScale: number): Promise<BenchApp> {
  const codebuild = new FakeCodeBuild();
  codebuild.logGroup = LOG_GROUP;
  const logs = new FakeCloudWatchLogs();
  const logQuota = new LogReadQuota(await logs.start(), 1000 / timeScale);
  const app = await startTestApp({
    AWS_ENDPOINT_URL_CODEBUILD: await codebuild.start(),
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: await logQuota.start(),
    CODEBUILD_PROJECT: PROJECT,
    POLL_INTERVAL_MS: String(settings.pollIntervalMs),
    CHECK_UPDATE_INTERVAL_MS: String(settings.checkUpdateIntervalMs),
    LOGS_RPS: String(settings.logsRps),
    GITHUB_WRITES_PER_MINUTE: String(settings.githubWritesPerMinute),
  });
  const github = new GitHubTraffic(app.github.origin);
  github.install();
  const template = examplePayload("push", (p) => String(p.ref).startsWith("refs/heads/"));
  app.github.repositories.set(template.repository.full_name, { id: template.repository.id, private: true, installationId: INSTALLATION_ID });

  return {
    app,
    codebuild,
    logs,
    logQuota,
    github,
    async push(sha) {
      const payload = structuredClone(template);
      Object.assign(payload, { ref: "refs/heads/main", after: sha, deleted: false, created: false, installation: { id: INSTALLATION_ID } });
      payload.repository.default_branch = "main";
      payload.head_commit = { ...payload.head_commit, id: sha, message: "Benchmark build" };
      const response = await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "push", payload);
      if (!response.ok) throw new Error(`the app answered the push webhook ${response.status}`);
    },
    async stop() {
      // Requests GitHub would refuse are a figure of their own (invalidRequests), not a crash here.
      const stopped = app
        .stop()
        .catch(() => undefined)
        .then(() => Promise.all([codebuild.stop(), logQuota.stop(), logs.stop()]));
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
      github.uninstall();
    },
  };
}
