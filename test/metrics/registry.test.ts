import { AppMetrics, METRICS_PREFIX } from "../../src/metrics/registry.js";
import { valueOf } from "./exposition.js";

const m = (name: string) => `${METRICS_PREFIX}${name}`;

describe("AppMetrics", () => {
  test("webhooks by event and action, and ignored ones by reason", async () => {
    const metrics = new AppMetrics({ processMetrics: false });
    metrics.webhookReceived("pull_request", "opened");
    metrics.webhookReceived("pull_request", "opened");
    metrics.webhookReceived("push");
    metrics.webhookIgnored("duplicate_delivery");
    metrics.webhookIgnored("owner_not_allowed");
    metrics.webhookIgnored("owner_not_allowed");
    const text = await metrics.text();
    expect(valueOf(text, m("webhooks_received_total"), { event: "pull_request", action: "opened" })).toBe(2);
    expect(valueOf(text, m("webhooks_received_total"), { event: "push", action: "" })).toBe(1);
    expect(valueOf(text, m("webhooks_ignored_total"), { reason: "duplicate_delivery" })).toBe(1);
    expect(valueOf(text, m("webhooks_ignored_total"), { reason: "owner_not_allowed" })).toBe(2);
    expect(text).toContain(`# TYPE ${m("webhooks_received_total")} counter`);
  });

  test("builds started, completed by outcome, and running", async () => {
    const metrics = new AppMetrics({ processMetrics: false });
    metrics.buildStarted();
    metrics.buildStarted();
    metrics.buildCompleted("success");
    metrics.buildCompleted("start_failed");
    metrics.buildCompleted("success");
    metrics.buildsRunning(3);
    metrics.buildsRunning(1);
    const text = await metrics.text();
    expect(valueOf(text, m("builds_started_total"))).toBe(2);
    expect(valueOf(text, m("builds_completed_total"), { outcome: "success" })).toBe(2);
    expect(valueOf(text, m("builds_completed_total"), { outcome: "start_failed" })).toBe(1);
    expect(valueOf(text, m("builds_completed_total"), { outcome: "failure" })).toBeUndefined();
    expect(valueOf(text, m("builds_running"))).toBe(1);
    expect(text).toContain(`# TYPE ${m("builds_running")} gauge`);
  });

  test.each<[string, number | undefined, string, boolean]>([
    ["success", 201, "201", false],
    ["client error", 404, "404", true],
    ["server error", 502, "502", true],
    ["no answer", undefined, "none", true],
  ])("GitHub call, %s: status %s is labelled %s, an error: %s", async (_what, status, label, isError) => {
    const metrics = new AppMetrics({ processMetrics: false });
    const route = "/repos/{owner}/{repo}/check-runs";
    metrics.githubRequest({ method: "POST", route, status, seconds: 0.2 });
    const text = await metrics.text();
    expect(valueOf(text, m("github_requests_total"), { method: "POST", route, status: label })).toBe(1);
    expect(valueOf(text, m("github_request_errors_total"), { route, status: label })).toBe(isError ? 1 : undefined);
    expect(valueOf(text, m("github_request_duration_seconds_count"), { method: "POST", route })).toBe(1);
    expect(valueOf(text, m("github_request_duration_seconds_bucket"), { method: "POST", route, le: "0.25" })).toBe(1);
    expect(valueOf(text, m("github_request_duration_seconds_bucket"), { method: "POST", route, le: "0.1" })).toBe(0);
  });

  test("AWS calls by service and operation, errors by exception name", async () => {
    const metrics = new AppMetrics({ processMetrics: false });
    metrics.awsRequest({ service: "CodeBuild", operation: "StartBuild", error: undefined, seconds: 0.05 });
    metrics.awsRequest({ service: "CodeBuild", operation: "StartBuild", error: "ThrottlingException", seconds: 3 });
    const text = await metrics.text();
    const call = { service: "CodeBuild", operation: "StartBuild" };
    expect(valueOf(text, m("aws_requests_total"), call)).toBe(2);
    expect(valueOf(text, m("aws_request_errors_total"), { ...call, error: "ThrottlingException" })).toBe(1);
    expect(valueOf(text, m("aws_request_duration_seconds_count"), call)).toBe(2);
    expect(valueOf(text, m("aws_request_duration_seconds_sum"), call)).toBeCloseTo(3.05);
  });

  test("check-run writes by kind, and coalesced ones", async () => {
    const metrics = new AppMetrics({ processMetrics: false });
    metrics.checkRunWritten("completion");
    metrics.checkRunWritten("progress");
    metrics.checkRunWritten("progress");
    metrics.checkRunWriteCoalesced();
    const text = await metrics.text();
    expect(valueOf(text, m("check_run_writes_total"), { kind: "completion" })).toBe(1);
    expect(valueOf(text, m("check_run_writes_total"), { kind: "progress" })).toBe(2);
    expect(valueOf(text, m("check_run_writes_coalesced_total"))).toBe(1);
  });

  describe("watcher", () => {
    let now: number;
    let metrics: AppMetrics;
    beforeEach(() => {
      now = 1_000_000;
      metrics = new AppMetrics({ processMetrics: false, now: () => now });
    });

    test("lag counts from start-up until a round is up to date", async () => {
      now += 7_000;
      expect(valueOf(await metrics.text(), m("watcher_lag_seconds"))).toBe(7);
    });

    test("lag is the age of the start of the last up-to-date round; a failed round leaves it growing", async () => {
      now += 10_000;
      metrics.watcherTick(now - 1_500, true);
      expect(valueOf(await metrics.text(), m("watcher_lag_seconds"))).toBe(1.5);
      now += 5_000;
      metrics.watcherTick(now - 500, false);
      const text = await metrics.text();
      expect(valueOf(text, m("watcher_lag_seconds"))).toBe(6.5);
      expect(valueOf(text, m("watcher_tick_duration_seconds_count"))).toBe(2);
      expect(valueOf(text, m("watcher_tick_duration_seconds_sum"))).toBe(2);
    });

    test("a round that ends after a later one does not move the lag back", async () => {
      now += 10_000;
      metrics.watcherTick(now - 100, true);
      metrics.watcherTick(now - 3_000, true);
      expect(valueOf(await metrics.text(), m("watcher_lag_seconds"))).toBe(0.1);
    });
  });

  test("Node process metrics are on by default, off on request", async () => {
    expect(await new AppMetrics().text()).toContain("process_cpu_user_seconds_total");
    expect(await new AppMetrics({ processMetrics: false }).text()).not.toContain("process_cpu_user_seconds_total");
  });

  test("instances in one process keep their own counts", async () => {
    const first = new AppMetrics({ processMetrics: false });
    const second = new AppMetrics({ processMetrics: false });
    first.buildStarted();
    expect(valueOf(await first.text(), m("builds_started_total"))).toBe(1);
    expect(valueOf(await second.text(), m("builds_started_total"))).toBe(0);
  });

  test("the content type is Prometheus text", () => {
    expect(new AppMetrics({ processMetrics: false }).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
