import nock from "nock";
import pino from "pino";
import { ProbotOctokit } from "probot";
import { MemoryBuildRecordStore } from "../../../src/adapters/memory/records.js";
import { GitHubCheckRuns } from "../../../src/adapters/github/check-runs.js";
import { GitHubWriteBudgets } from "../../../src/ports/write-budget.js";
import { BuildStart, START_ATTEMPTS, START_RETRY_BASE_MS, startRetryDelayMs, type StartDependencies } from "../../../src/workflows/builds/start-attempts.js";
import { FAILED_CALL } from "../../../src/builds/start-failure.js";
import { AppMetrics } from "../../../src/metrics/registry.js";
import { buildRecord, SHA } from "../../support/build-records.js";
import { useStrictNock } from "../../support/nock-strict.js";

const API = "https://api.github.com";

function throttled(): Error {
  const error = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 } });
  return Object.defineProperty(error, FAILED_CALL, { value: { service: "CodeBuild", operation: "StartBuild" } });
}

function setUp() {
  const records = new MemoryBuildRecordStore();
  const octokit = new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
  const metrics = new AppMetrics();
  const checkRuns = new GitHubCheckRuns({ writes: new GitHubWriteBudgets({ perMinute: 60_000 }), github: async () => octokit, metrics });
  const deps: StartDependencies = { records, checkRuns, metrics };
  const trigger = buildRecord().trigger;
  const start = new BuildStart(trigger, "dep-1", SHA, octokit, deps, pino({ level: "silent" }));
  return { start, records };
}

/** Every body GitHub got on PATCH of run `id`, as they come. */
function patches(id: number, times: number): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  nock(API)
    .patch(`/repos/octo/site/check-runs/${id}`, (body: Record<string, unknown>) => Boolean(bodies.push(body)))
    .times(times)
    .reply(200, { id });
  return bodies;
}

useStrictNock();

describe("BuildStart", () => {
  test("an error that can pass is tried again, with the retrying title and a growing wait, until the last attempt gives up", async () => {
    const { start } = setUp();
    start.checkRunId = 77;
    const bodies = patches(77, START_ATTEMPTS);
    const told: boolean[] = [];
    const waits: number[] = [];
    await start.run(
      async (afterEarlierAttempt) => {
        told.push(afterEarlierAttempt);
        throw throttled();
      },
      false,
      async (ms) => void waits.push(ms),
    );
    expect(told).toEqual([false, true, true, true, true]);
    const titles = bodies.map((b) => (b.output as { title: string }).title);
    expect(titles).toEqual([
      "Retrying to start — CodeBuild is throttling the app's requests (attempt 2 of 5)",
      "Retrying to start — CodeBuild is throttling the app's requests (attempt 3 of 5)",
      "Retrying to start — CodeBuild is throttling the app's requests (attempt 4 of 5)",
      "Retrying to start — CodeBuild is throttling the app's requests (attempt 5 of 5)",
      "Could not start — CodeBuild is throttling the app's requests",
    ]);
    expect(bodies.slice(0, 4).every((b) => b.status === "queued")).toBe(true);
    expect(bodies[4]).toMatchObject({ status: "completed", conclusion: "failure" });
    waits.forEach((ms, i) => {
      const ceiling = START_RETRY_BASE_MS * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    });
  });

  test("an event tried before says so to its first attempt too", async () => {
    const { start } = setUp();
    const told: boolean[] = [];
    await start.run(async (afterEarlierAttempt) => void told.push(afterEarlierAttempt), true);
    expect(told).toEqual([true]);
  });

  test("a refusal before any check run exists creates one, completed failure, under the default name, and keeps the trigger for a re-run", async () => {
    const { start, records } = setUp();
    const created: Record<string, unknown>[] = [];
    nock(API)
      .post("/repos/octo/site/check-runs", (body: Record<string, unknown>) => Boolean(created.push(body)))
      .reply(201, { id: 90 });
    await start.run(async () => {
      throw Object.assign(new Error("Resource not accessible by integration"), {
        name: "HttpError",
        status: 403,
        request: { method: "GET", url: `${API}/repos/octo/site/contents/.github%2Fcodebuild.yml` },
        response: { status: 403, headers: {} },
      });
    }, false);
    expect(created).toEqual([
      expect.objectContaining({
        name: "CodeBuild",
        head_sha: SHA,
        external_id: "dep-1",
        status: "completed",
        conclusion: "failure",
        output: expect.objectContaining({ title: "GitHub refused a request" }),
      }),
    ]);
    expect(await records.triggerOf("dep-1")).toMatchObject({ kind: "push" });
  });

  test("the wait before another attempt doubles, half of it random", () => {
    expect([1, 2, 3, 4].map((n) => startRetryDelayMs(n, () => 0))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((n) => startRetryDelayMs(n, () => 1))).toEqual([2_000, 4_000, 8_000, 16_000]);
  });
});
