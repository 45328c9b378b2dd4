import { waitFor } from "../support/app.js";
import { World } from "../support/child-app.js";
import { Deliveries } from "../support/deliveries.js";
import type { FakeCloudWatchLogs } from "../support/fake-cloudwatch-logs.js";
import type { FakeCodeBuild } from "../support/fake-codebuild.js";
import type { CheckRunState } from "../support/fake-github.js";
import { pushPayload } from "../support/webhooks.js";

/** SPEC 8: several replicas on one table; each build is watched by exactly one of them at a time. */
const TIMEOUT_MS = 150_000;
const BUILDS = 20;

const shaOf = (n: number) => n.toString(16).padStart(40, "b");

/** CodeBuild moving each build through BUILD, writing a log line each tick, and finishing it after `runMs`. */
function driveBuilds(codebuild: FakeCodeBuild, logs: FakeCloudWatchLogs, runMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now() / 1000;
    for (const build of codebuild.builds.values()) {
      if (build.buildStatus !== "IN_PROGRESS") continue;
      const age = now - build.startTime;
      logs.append(build.logs!.groupName!, build.logs!.streamName!, [`[Container] line at ${age.toFixed(1)} s`]);
      if (age > runMs / 1000) codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: now });
      else if (build.currentPhase === "SUBMITTED") codebuild.update(build.id, { currentPhase: "BUILD", phases: [...build.phases, { phaseType: "BUILD", startTime: now }] });
    }
  }, 200);
  return () => clearInterval(timer);
}

/** PATCHes that repeat the one before word for word, or come after the run completed: what two watchers of one build would send. */
function conflicts(run: CheckRunState): string[] {
  const problems: string[] = [];
  const bodies = run.history.map((b) => JSON.stringify(b));
  bodies.forEach((body, i) => {
    if (i > 0 && body === bodies[i - 1]) problems.push(`update ${i} repeats update ${i - 1}`);
  });
  const completedAt = run.history.findIndex((b) => b.status === "completed");
  const after = run.history.slice(completedAt + 1).filter((b) => b.status !== undefined || b.conclusion !== undefined);
  if (completedAt >= 0 && after.length > 0) problems.push(`${after.length} state update(s) after completion`);
  return problems;
}

describe("two app processes on one table", () => {
  let world: World;
  let stopDriving: () => void;

  beforeEach(async () => {
    world = await World.start();
    world.logs.groups.set("/aws/codebuild/shared-builds", new Map());
    stopDriving = driveBuilds(world.codebuild, world.logs, 6_000);
  });

  afterEach(async () => {
    stopDriving();
    await world.stop();
  });

  test(`watch ${BUILDS} builds between them, with no duplicate or conflicting check-run updates, and one takes over when the other stops`, async () => {
    const a = await world.startApp();
    const b = await world.startApp();
    const toA = new Deliveries(world.github, a.webhookUrl);
    const toB = new Deliveries(world.github, b.webhookUrl);
    const shas = Array.from({ length: BUILDS }, (_, i) => shaOf(i + 1));
    await Promise.all(shas.map((sha, i) => (i % 2 === 0 ? toA : toB).send("push", pushPayload(sha))));

    await waitFor(() => world.codebuild.builds.size === BUILDS, "every build started", 60_000);
    // Replica A drains on SIGTERM while builds run: its leases are released and B follows them to the end.
    await waitFor(() => [...world.codebuild.builds.values()].some((build) => build.currentPhase === "BUILD"), "builds running");
    expect(await a.kill("SIGTERM")).toBe(0);

    await waitFor(() => shas.every((sha) => world.github.runsFor(sha).some((run) => run.status === "completed")), `every check run completed (${b.output})`, 120_000);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const sha of shas) {
      const runs = world.github.runsFor(sha);
      expect({ sha, runs: runs.length, conclusion: runs[0]?.conclusion }).toEqual({ sha, runs: 1, conclusion: "success" });
      expect({ sha, conflicts: conflicts(runs[0]!) }).toEqual({ sha, conflicts: [] });
      expect(runs[0]!.output?.text).toContain("line at");
    }
    expect(world.codebuild.builds.size).toBe(BUILDS);
    expect(world.github.invalidRequests).toEqual([]);
  }, TIMEOUT_MS);
});
