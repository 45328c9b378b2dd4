import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { CheckConclusion } from "../checks/conclusion.js";

/** Every series of the app's own starts with this; Node's process metrics keep their usual names. */
export const METRICS_PREFIX = "codebuild_checks_";

/** Why a verified webhook caused nothing. */
export type WebhookIgnoredReason = "duplicate_delivery" | "owner_not_allowed" | "payload_refused";

/** How a build's check run ended: its conclusion, or why no build ran. */
export type BuildOutcome = CheckConclusion | "start_failed" | "config_invalid";

/** Which queue of the write budget a check-run write went through (completions go first). */
export type CheckRunWriteKind = "completion" | "progress";

/** One GitHub API call as the app made it, retries included. */
export interface GitHubCall {
  method: string;
  /** The route template (`/repos/{owner}/{repo}/check-runs`), never a concrete URL. */
  route: string;
  /** HTTP status of the answer; undefined when none came (network error). */
  status: number | undefined;
  seconds: number;
}

/** One AWS SDK call, retries included. */
export interface AwsCall {
  service: string;
  operation: string;
  /** The exception's name when the call failed (`ThrottlingException`). */
  error: string | undefined;
  seconds: number;
}

export interface AppMetricsOptions {
  /** Node's process metrics (prom-client's defaults): on unless a test makes many instances. */
  processMetrics?: boolean;
  /** Milliseconds since the epoch; tests pass a clock of their own. */
  now?: () => number;
}

/** API calls take milliseconds, but retries with backoff and throttling waits can take many seconds. */
const REQUEST_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const WATCHER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The app's metrics in a registry of their own (not prom-client's global one), so several
 * app instances in one process never clash. Callers record events through the methods
 * below and never touch prom-client.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly now: () => number;
  /** Start of the last watcher round that read every running build. */
  private watcherUpToDateAt: number;

  private readonly webhooks = this.counter("webhooks_received_total", "Verified webhooks received, by event and action (empty when the event has none)", [
    "event",
    "action",
  ]);
  private readonly webhooksIgnored = this.counter("webhooks_ignored_total", "Verified webhooks that caused nothing, by reason", ["reason"]);
  private readonly buildsStarted = this.counter("builds_started_total", "Builds that CodeBuild (or the local runner) accepted");
  private readonly buildsCompleted = this.counter(
    "builds_completed_total",
    "Check runs completed, by outcome: the check-run conclusion, start_failed (the build could not be started) or config_invalid (.github/codebuild.yml refused)",
    ["outcome"],
  );
  private readonly running = new Gauge({
    name: `${METRICS_PREFIX}builds_running`,
    help: "Builds being watched until their check runs complete, as of the watcher's last round",
    registers: [this.registry],
  });
  private readonly githubRequests = this.counter(
    "github_requests_total",
    "GitHub API calls, counted once each after Octokit's retries, by method, route template and final status",
    ["method", "route", "status"],
  );
  private readonly githubErrors = this.counter(
    "github_request_errors_total",
    "GitHub API calls that failed, by route template and status: 400 or more (Octokit reports a network error as 500), or none when no request was made",
    ["route", "status"],
  );
  private readonly githubDuration = new Histogram({
    name: `${METRICS_PREFIX}github_request_duration_seconds`,
    help: "Duration of GitHub API calls, retries and throttling waits included",
    labelNames: ["method", "route"],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly awsRequests = this.counter("aws_requests_total", "AWS SDK calls, counted once each after the SDK's retries, by service and operation", [
    "service",
    "operation",
  ]);
  private readonly awsErrors = this.counter("aws_request_errors_total", "AWS SDK calls that failed, by service, operation and exception name", [
    "service",
    "operation",
    "error",
  ]);
  private readonly awsDuration = new Histogram({
    name: `${METRICS_PREFIX}aws_request_duration_seconds`,
    help: "Duration of AWS SDK calls, retries included",
    labelNames: ["service", "operation"],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly watcherDuration = new Histogram({
    name: `${METRICS_PREFIX}watcher_tick_duration_seconds`,
    help: "Duration of the build watcher's rounds (reading running builds and updating their check runs)",
    buckets: WATCHER_BUCKETS,
    registers: [this.registry],
  });
  private readonly checkRunWrites = this.counter("check_run_writes_total", "Check-run writes sent to GitHub, by kind", ["kind"]);
  private readonly checkRunWritesCoalesced = this.counter(
    "check_run_writes_coalesced_total",
    "Check-run writes dropped because a later write of the same run replaced them (latest wins)",
  );

  constructor(options: AppMetricsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.watcherUpToDateAt = this.now();
    const lagSeconds = () => Math.max(0, (this.now() - this.watcherUpToDateAt) / 1000);
    new Gauge({
      name: `${METRICS_PREFIX}watcher_lag_seconds`,
      help:
        "Seconds since the start of the last watcher round that read every running build (since start-up before the first): " +
        "every build state change older than this has been seen. Stays below POLL_INTERVAL_MS plus a round's duration while the watcher keeps up",
      registers: [this.registry],
      collect() {
        this.set(lagSeconds());
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  webhookReceived(event: string, action?: string): void {
    this.webhooks.inc({ event, action: action ?? "" });
  }

  webhookIgnored(reason: WebhookIgnoredReason): void {
    this.webhooksIgnored.inc({ reason });
  }

  buildStarted(): void {
    this.buildsStarted.inc();
  }

  buildCompleted(outcome: BuildOutcome): void {
    this.buildsCompleted.inc({ outcome });
  }

  buildsRunning(count: number): void {
    this.running.set(count);
  }

  githubRequest(call: GitHubCall): void {
    const status = call.status === undefined ? "none" : String(call.status);
    this.githubRequests.inc({ method: call.method, route: call.route, status });
    if (call.status === undefined || call.status >= 400) this.githubErrors.inc({ route: call.route, status });
    this.githubDuration.observe({ method: call.method, route: call.route }, call.seconds);
  }

  awsRequest(call: AwsCall): void {
    const { service, operation } = call;
    this.awsRequests.inc({ service, operation });
    if (call.error !== undefined) this.awsErrors.inc({ service, operation, error: call.error });
    this.awsDuration.observe({ service, operation }, call.seconds);
  }

  /**
   * A watcher round ended. `upToDate`: it read the state of every running build
   * (a round that failed to read them leaves the lag growing).
   */
  watcherTick(startedAt: number, upToDate: boolean): void {
    this.watcherDuration.observe(Math.max(0, (this.now() - startedAt) / 1000));
    if (upToDate) this.watcherUpToDateAt = Math.max(this.watcherUpToDateAt, startedAt);
  }

  checkRunWritten(kind: CheckRunWriteKind): void {
    this.checkRunWrites.inc({ kind });
  }

  checkRunWriteCoalesced(): void {
    this.checkRunWritesCoalesced.inc();
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: `${METRICS_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }
}
