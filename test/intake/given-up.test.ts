import nock from "nock";
import pino from "pino";
import { ProbotOctokit } from "probot";
import { MemoryBuildRecordStore } from "../../src/adapters/memory/records.js";
import { GitHubCheckRuns } from "../../src/adapters/github/check-runs.js";
import { GitHubWriteBudgets } from "../../src/ports/write-budget.js";
import { deploymentIdFor } from "../../src/domain/deployment-id.js";
import { closeGivenUpIntent } from "../../src/intake/given-up.js";
import type { Intent } from "../../src/ports/intent.js";
import { AppMetrics } from "../../src/metrics/registry.js";
import { buildRecord, SHA } from "../support/build-records.js";
import { useStrictNock } from "../support/nock-strict.js";

const API = "https://api.github.com";

function setUp() {
  const records = new MemoryBuildRecordStore();
  const deps = {
    records,
    checkRuns: new GitHubCheckRuns({
      writes: new GitHubWriteBudgets({ perMinute: 60_000 }),
      github: async () => new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } }),
      metrics: new AppMetrics(),
    }),
    log: pino({ level: "silent" }),
  };
  return { records, deps };
}

/** The push intent of `buildRecord()` (delivery `delivery-1`). */
const pushIntent = (): Intent => buildRecord().trigger;

/** GitHub's PATCH completing run `id` as given up; the body it got, once asked. */
function expectCompletion(id: number) {
  const bodies: Record<string, unknown>[] = [];
  nock(API)
    .patch(`/repos/octo/site/check-runs/${id}`, (body: Record<string, unknown>) => Boolean(bodies.push(body)))
    .reply(200, { id });
  return bodies;
}

useStrictNock();

describe("closeGivenUpIntent: a given-up event leaves no check run open", () => {
  test("the run its build record names is completed failure with the reason, and the record marked done", async () => {
    const { records, deps } = setUp();
    const deploymentId = deploymentIdFor("delivery-1");
    await records.put(buildRecord({ deploymentId, buildId: undefined, checkRunId: 77 }));
    const sent = expectCompletion(77);
    await closeGivenUpIntent(pushIntent(), 5, deps);
    expect(sent).toEqual([
      expect.objectContaining({
        status: "completed",
        conclusion: "failure",
        output: { title: "The app gave up on this build", summary: expect.stringMatching(/^Processing this event failed 5 times.*Re-run this check/) },
      }),
    ]);
    expect(await records.get(deploymentId)).toMatchObject({ completed: true, status: "FAILED" });
  });

  test("without a record, the run is found by its external_id on the commit", async () => {
    const { deps } = setUp();
    nock(API)
      .get(`/repos/octo/site/commits/${SHA}/check-runs`)
      .query({ filter: "all", per_page: 100 })
      .reply(200, {
        total_count: 2,
        check_runs: [
          { id: 5, external_id: "someone-else" },
          { id: 78, external_id: deploymentIdFor("delivery-1") },
        ],
      });
    const sent = expectCompletion(78);
    await closeGivenUpIntent(pushIntent(), 5, deps);
    expect(sent).toHaveLength(1);
  });

  test.each<[string, Partial<ReturnType<typeof buildRecord>>]>([
    ["a build that started (the watcher completes its run)", { buildId: "shared-builds:9" }],
    ["a run already completed", { buildId: undefined, completed: true }],
  ])("nothing is written for %s", async (_name, overrides) => {
    const { records, deps } = setUp();
    await records.put(buildRecord({ deploymentId: deploymentIdFor("delivery-1"), ...overrides }));
    await closeGivenUpIntent(pushIntent(), 5, deps);
  });

  test("a run's re-run is found through the deployment id its re-run derives", async () => {
    const { records, deps } = setUp();
    const record = buildRecord();
    const deploymentId = deploymentIdFor("rerun-1:ext-9");
    await records.put(buildRecord({ deploymentId, buildId: undefined, checkRunId: 79 }));
    const sent = expectCompletion(79);
    const rerun: Intent = {
      kind: "rerun",
      deliveryId: "rerun-1",
      installationId: 11,
      repository: record.repository,
      sender: record.trigger.sender,
      headSha: SHA,
      appId: 1,
      externalIds: ["ext-9"],
    };
    await closeGivenUpIntent(rerun, 5, deps);
    expect(sent).toHaveLength(1);
  });

  test("a comment without /build began nothing, and a deleted branch nothing either", async () => {
    const { deps } = setUp();
    const record = buildRecord();
    const comment: Intent = {
      kind: "comment",
      deliveryId: "comment-1",
      installationId: 11,
      repository: record.repository,
      sender: record.trigger.sender,
      issueNumber: 3,
      isPullRequest: true,
      commentId: 9,
      commands: [{ ok: true, line: 1, command: { verb: "help" } }],
      holdsSecret: false,
    };
    await closeGivenUpIntent(comment, 5, deps);
    await closeGivenUpIntent({ ...record.trigger, kind: "push", deleted: true } as Intent, 5, deps);
  });
});
