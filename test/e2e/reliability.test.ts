import { DynamoDbBuildRecordStore } from "../../src/adapters/aws/dynamodb/build-records.js";
import { parseSettings } from "../../src/settings.js";
import type { FakeFailure } from "../support/aws-json-fake.js";
import { waitFor } from "../support/app.js";
import { World, type ChildApp } from "../support/child-app.js";
import { Deliveries } from "../support/deliveries.js";
import type { FakeCloudWatchLogs } from "../support/fake-cloudwatch-logs.js";
import type { FakeCodeBuild } from "../support/fake-codebuild.js";
import type { CheckRunState } from "../support/fake-github.js";
import { pushPayload, type OtherInstallation } from "../support/webhooks.js";

/*
 * SPEC 8 end to end, with the app run as child processes (`node --import tsx src/main.ts`) that a
 * test can kill: a crash, two replicas, and upstreams failing on purpose. One file, so these heavy
 * tests run one after another rather than side by side in two jest workers.
 */
const TIMEOUT_MS = 300_000;
/** How long a test waits for the outcome: generous, since a busy two-core machine runs them slowly. */
const WAIT_MS = 200_000;

// ---- A killed app loses and duplicates nothing
const crashShaOf = (n: number) => n.toString(16).padStart(40, "a");

/** CodeBuild finishing every build a little after it started, as long as the test runs. */
function finishBuilds(codebuild: FakeCodeBuild, afterMs = 300): () => void {
  const timer = setInterval(() => {
    for (const build of codebuild.builds.values()) {
      if (build.buildStatus === "IN_PROGRESS" && Date.now() / 1000 - build.startTime > afterMs / 1000) {
        codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });
      }
    }
  }, 50);
  return () => clearInterval(timer);
}

/** Builds CodeBuild started of a commit (a repeated idempotency token starts none). */
function buildsOf(codebuild: FakeCodeBuild, sha: string): number {
  return [...codebuild.builds.values()].filter((b) => b.sourceVersion?.endsWith(`^{${sha}}`)).length;
}

describe("crash recovery: a killed app loses and duplicates nothing", () => {
  let world: World;
  let stopFinishing: () => void;

  beforeEach(async () => {
    world = await World.start();
    stopFinishing = finishBuilds(world.codebuild);
  });

  afterEach(async () => {
    stopFinishing();
    await world.stop();
  });

  test(
    "SIGKILL in the middle of 30 webhooks, restart on the same table: every push ends in exactly one build and one completed check run",
    async () => {
      const first = await world.startApp();
      const deliveries = new Deliveries(world.github, first.webhookUrl);
      const shas = Array.from({ length: 30 }, (_, i) => crashShaOf(i + 1));

      let killed: Promise<number | null> | undefined;
      for (const [i, sha] of shas.entries()) {
        void deliveries.send("push", pushPayload(sha));
        if (i === 12) killed = first.kill("SIGKILL");
        await new Promise((r) => setTimeout(r, 15));
      }
      await killed;
      await deliveries.settled();
      const refused = world.github.deliveries.filter((d) => d.status_code !== 200).length;
      expect(refused).toBeGreaterThan(0); // some pushes happened while the app was down

      // Deliveries go to the new process from its first moment: its start-up sweep asks GitHub for redeliveries at once.
      const second: ChildApp = await world.spawnApp();
      deliveries.target = second.webhookUrl;
      await second.ready();

      await waitFor(
        () => shas.every((sha) => world.github.runsFor(sha).some((run) => run.status === "completed")),
        `every push's check run completed (${second.output})`,
        WAIT_MS,
      );
      await deliveries.settled();
      // Let a late duplicate show itself, if there were one.
      await new Promise((r) => setTimeout(r, 1_000));
      for (const sha of shas) {
        const runs = world.github.runsFor(sha);
        expect({ sha, runs: runs.length, conclusion: runs[0]?.conclusion }).toEqual({ sha, runs: 1, conclusion: "success" });
        expect({ sha, builds: buildsOf(world.codebuild, sha) }).toEqual({ sha, builds: 1 });
      }
      expect(world.github.redeliveries.length).toBeGreaterThan(0);
      expect(world.github.invalidRequests).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

// ---- A crash costs at most 20 s, at the default LEASE_DURATION_MS
/** Pushes recorded and not yet processed when the app is killed. */
const PENDING = 3;
const RESUMED_WITHIN_MS = 20_000;
const resumeShaOf = (n: number) => n.toString(16).padStart(40, "c");

describe("quick resumption: a SIGKILLed app restarted at once", () => {
  let world: World;

  beforeEach(async () => {
    world = await World.start();
  });

  afterEach(async () => {
    await world.stop();
  });

  test(
    `takes up the dead process's pending events and running build within ${RESUMED_WITHIN_MS / 1000} s, and finishes them once each`,
    async () => {
      // The app's own LEASE_DURATION_MS (World shortens it for the other tests); writes spaced 10 s
      // apart, so the events are still pending when the process dies.
      const lease = { LEASE_DURATION_MS: String(parseSettings({}).leaseDurationMs) };
      const first = await world.startApp({ ...lease, GITHUB_WRITES_PER_MINUTE: "6" });
      const deliveries = new Deliveries(world.github, first.webhookUrl);
      const [running, ...pending] = Array.from({ length: PENDING + 1 }, (_, i) => resumeShaOf(i + 1));
      expect(await deliveries.send("push", pushPayload(running!))).toBe(200);
      const build = await waitFor(() => [...world.codebuild.builds.values()][0], `the first build (${first.output})`, WAIT_MS);
      const records = new DynamoDbBuildRecordStore(world.dynamo.client, parseSettings({}).tableName, console);
      await waitFor(async () => (await records.listRunning())[0]?.watchedBy, `the first process watching its build (${first.output})`, WAIT_MS);
      for (const sha of pending) expect(await deliveries.send("push", pushPayload(sha))).toBe(200);
      await first.kill("SIGKILL");
      const killedAt = Date.now();
      world.codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });

      const second = await world.startApp({ ...lease, GITHUB_WRITES_PER_MINUTE: "600" });
      const runningRun = world.github.runsFor(running!)[0]!;
      const updatesBeforeKill = runningRun.history.length;
      const stopFinishing = finishBuilds(world.codebuild);
      try {
        await waitFor(
          () => pending.every((sha) => buildsOf(world.codebuild, sha) === 1) && runningRun.history.length > updatesBeforeKill,
          `every pending push built and the running build's check run updated by the new process (${second.output})`,
          WAIT_MS,
        );
        expect(Date.now() - killedAt).toBeLessThan(RESUMED_WITHIN_MS);

        const shas = [running!, ...pending];
        await waitFor(
          () => shas.every((sha) => world.github.runsFor(sha).some((run) => run.status === "completed")),
          `every check run completed (${second.output})`,
          WAIT_MS,
        );
        await new Promise((r) => setTimeout(r, 1_000));
        for (const sha of shas) {
          const runs = world.github.runsFor(sha);
          expect({ sha, runs: runs.length, conclusion: runs[0]?.conclusion, builds: buildsOf(world.codebuild, sha) }).toEqual({
            sha,
            runs: 1,
            conclusion: "success",
            builds: 1,
          });
          expect({ sha, conflicts: conflicts(runs[0]!) }).toEqual({ sha, conflicts: [] });
        }
        expect(world.github.invalidRequests).toEqual([]);
      } finally {
        stopFinishing();
      }
    },
    TIMEOUT_MS,
  );
});

// ---- One installation's burst costs the others nothing
const BUSY_PUSHES = 50;
/** Deliveries in flight at once, as GitHub sends a burst (each answered within seconds, even on a busy machine). */
const SENT_AT_ONCE = 10;
const QUIET: OtherInstallation = { id: 8, repository: { id: 8_000_001, name: "quiet-site" } };
const QUIET_SHA = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
const busyShaOf = (n: number) => n.toString(16).padStart(40, "e");

describe("fair across installations", () => {
  let world: World;

  beforeEach(async () => {
    world = await World.start();
  });

  afterEach(async () => {
    await world.stop();
  });

  test(
    `a quiet installation's push is built and reported while another installation has ${BUSY_PUSHES} pushes pending`,
    async () => {
      // The default write budget: the busy installation's check runs are created one a second.
      const app = await world.startApp();
      const deliveries = new Deliveries(world.github, app.webhookUrl);
      const busy = Array.from({ length: BUSY_PUSHES }, (_, i) => busyShaOf(i + 1));
      for (let i = 0; i < busy.length; i += SENT_AT_ONCE) {
        const statuses = await Promise.all(busy.slice(i, i + SENT_AT_ONCE).map((sha) => deliveries.send("push", pushPayload(sha))));
        expect(statuses).toEqual(statuses.map(() => 200));
      }
      expect(await deliveries.send("push", pushPayload(QUIET_SHA, { installation: QUIET }))).toBe(200);

      await waitFor(() => world.github.runsFor(QUIET_SHA).length > 0, `the quiet installation's check run (${app.output})`, WAIT_MS);
      const busyReported = busy.filter((sha) => world.github.runsFor(sha).length > 0).length;
      expect(busyReported).toBeLessThan(BUSY_PUSHES / 2);

      const build = await waitFor(
        () => [...world.codebuild.builds.values()].find((b) => b.sourceVersion?.endsWith(`^{${QUIET_SHA}}`)),
        "the quiet installation's build",
        WAIT_MS,
      );
      world.codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });
      const run = await waitFor(
        () => world.github.runsFor(QUIET_SHA).find((r) => r.status === "completed"),
        `the quiet installation's completed check run (${app.output})`,
        WAIT_MS,
      );
      expect(run.conclusion).toBe("success");
      expect(busy.filter((sha) => world.github.runsFor(sha).length === 0).length).toBeGreaterThan(0);
      expect(world.github.requests.some((r) => r.method === "POST" && r.path.includes(`/${QUIET.repository.name}/check-runs`))).toBe(true);
      expect(world.github.invalidRequests).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

// ---- Several replicas on one table: each build is watched by exactly one of them at a time
const BUILDS = 20;

const replicaShaOf = (n: number) => n.toString(16).padStart(40, "b");

/** CodeBuild moving each build through BUILD, writing a log line each tick, and finishing it after `runMs`. */
function driveBuilds(codebuild: FakeCodeBuild, logs: FakeCloudWatchLogs, runMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now() / 1000;
    for (const build of codebuild.builds.values()) {
      if (build.buildStatus !== "IN_PROGRESS") continue;
      const age = now - build.startTime;
      logs.append(build.logs!.groupName!, build.logs!.streamName!, [`[Container] line at ${age.toFixed(1)} s`]);
      if (age > runMs / 1000) codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: now });
      else if (build.currentPhase === "SUBMITTED")
        codebuild.update(build.id, { currentPhase: "BUILD", phases: [...build.phases, { phaseType: "BUILD", startTime: now }] });
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

  test(
    `watch ${BUILDS} builds between them, with no duplicate or conflicting check-run updates, and one takes over when the other stops`,
    async () => {
      const a = await world.startApp();
      const b = await world.startApp();
      const toA = new Deliveries(world.github, a.webhookUrl);
      const toB = new Deliveries(world.github, b.webhookUrl);
      const shas = Array.from({ length: BUILDS }, (_, i) => replicaShaOf(i + 1));
      await Promise.all(shas.map((sha, i) => (i % 2 === 0 ? toA : toB).send("push", pushPayload(sha))));

      await waitFor(() => world.codebuild.builds.size === BUILDS, "every build started", WAIT_MS);
      // Replica A drains on SIGTERM while builds run: its leases are released and B follows them to the end.
      await waitFor(() => [...world.codebuild.builds.values()].some((build) => build.currentPhase === "BUILD"), "builds running");
      expect(await a.kill("SIGTERM")).toBe(0);

      await waitFor(
        () => shas.every((sha) => world.github.runsFor(sha).some((run) => run.status === "completed")),
        `every check run completed (${b.output})`,
        WAIT_MS,
      );
      await new Promise((r) => setTimeout(r, 1_000));
      for (const sha of shas) {
        const runs = world.github.runsFor(sha);
        expect({ sha, runs: runs.length, conclusion: runs[0]?.conclusion }).toEqual({ sha, runs: 1, conclusion: "success" });
        expect({ sha, conflicts: conflicts(runs[0]!) }).toEqual({ sha, conflicts: [] });
        expect(runs[0]!.output?.text).toContain("line at");
      }
      expect(world.codebuild.builds.size).toBe(BUILDS);
      expect(world.github.invalidRequests).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

// ---- Errors that can pass are retried with backoff
const SHA = "fa017fa017fa017fa017fa017fa017fa017fa017";
const GROUP = "/aws/codebuild/shared-builds";

const throttled: FakeFailure = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };
const unavailable: FakeFailure = { status: 503, type: "ServiceUnavailableException", message: "Service unavailable" };

describe("fault injection over HTTP", () => {
  let world: World;

  beforeEach(async () => {
    world = await World.start();
    world.logs.groups.set(GROUP, new Map());
  });

  afterEach(async () => {
    await world.stop();
  });

  test(
    "GitHub 502s, CodeBuild throttling and CloudWatch errors along the way still end in one build and one correct check run",
    async () => {
      const app = await world.startApp();
      world.github.failNext("POST", /\/check-runs$/, 502, 1);
      world.github.failNext("PATCH", /\/check-runs\/\d+$/, 502, 3);
      world.codebuild.failNext.set("StartBuild", [throttled, throttled]);
      world.codebuild.failNext.set("BatchGetBuilds", [throttled, throttled, throttled]);
      world.logs.failNext.set("GetLogEvents", [unavailable, throttled, unavailable]);

      const deliveries = new Deliveries(world.github, app.webhookUrl);
      expect(await deliveries.send("push", pushPayload(SHA))).toBe(200);

      const build = await waitFor(() => [...world.codebuild.builds.values()][0], `a build (${app.output})`, 30_000);
      world.logs.append(GROUP, build.logs!.streamName!, ["[Container] Running command npm test", "all 12 tests passed"]);
      world.codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });

      const run = await waitFor(() => world.github.runsFor(SHA).find((r) => r.status === "completed"), `the completed check run (${app.output})`, WAIT_MS);
      expect(run.conclusion).toBe("success");
      expect(run.output?.text).toContain("all 12 tests passed");
      expect(world.github.runsFor(SHA)).toHaveLength(1);
      expect(world.codebuild.builds.size).toBe(1);
      // Every injected failure was met, and got past.
      expect(world.github.requests.filter((r) => r.failedWith === 502)).toHaveLength(4);
      expect(world.codebuild.failNext.get("StartBuild")).toEqual([]);
      expect(world.codebuild.failNext.get("BatchGetBuilds")).toEqual([]);
      expect(world.logs.failNext.get("GetLogEvents")).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "a webhook that arrives while DynamoDB is unreachable is answered 5xx, then redelivered and built once DynamoDB is back",
    async () => {
      const app = await world.startApp({ REDELIVERY_INTERVAL_MS: "10000" });
      const deliveries = new Deliveries(world.github, app.webhookUrl);

      world.dynamoProxy.down = true;
      const status = await deliveries.send("push", pushPayload(SHA));
      world.dynamoProxy.down = false;
      expect(status).toBeGreaterThanOrEqual(500);
      expect(world.github.runsFor(SHA)).toHaveLength(0);

      const build = await waitFor(() => [...world.codebuild.builds.values()][0], `a build after redelivery (${app.output})`, WAIT_MS);
      expect(world.github.redeliveries).toHaveLength(1);
      world.codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });
      const run = await waitFor(() => world.github.runsFor(SHA).find((r) => r.status === "completed"), "the completed check run", 30_000);
      expect(run.conclusion).toBe("success");
      expect(world.github.runsFor(SHA)).toHaveLength(1);
      expect(world.codebuild.builds.size).toBe(1);
    },
    TIMEOUT_MS,
  );
});
