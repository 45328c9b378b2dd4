import { waitFor } from "../support/app.js";
import { World } from "../support/child-app.js";
import { Deliveries } from "../support/deliveries.js";
import type { FakeFailure } from "../support/aws-json-fake.js";
import { pushPayload } from "../support/webhooks.js";

/** SPEC 8: errors that can pass are retried with backoff; the app as a child process, its upstreams failing on purpose. */
const TIMEOUT_MS = 90_000;
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

  test("GitHub 502s, CodeBuild throttling and CloudWatch errors along the way still end in one build and one correct check run", async () => {
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

    const run = await waitFor(() => world.github.runsFor(SHA).find((r) => r.status === "completed"), `the completed check run (${app.output})`, 60_000);
    expect(run.conclusion).toBe("success");
    expect(run.output?.text).toContain("all 12 tests passed");
    expect(world.github.runsFor(SHA)).toHaveLength(1);
    expect(world.codebuild.builds.size).toBe(1);
    // Every injected failure was met, and got past.
    expect(world.github.requests.filter((r) => r.failedWith === 502)).toHaveLength(4);
    expect(world.codebuild.failNext.get("StartBuild")).toEqual([]);
    expect(world.codebuild.failNext.get("BatchGetBuilds")).toEqual([]);
    expect(world.logs.failNext.get("GetLogEvents")).toEqual([]);
  }, TIMEOUT_MS);

  test("a webhook that arrives while DynamoDB is unreachable is answered 5xx, then redelivered and built once DynamoDB is back", async () => {
    const app = await world.startApp({ REDELIVERY_INTERVAL_MS: "10000" });
    const deliveries = new Deliveries(world.github, app.webhookUrl);

    world.dynamoProxy.down = true;
    const status = await deliveries.send("push", pushPayload(SHA));
    world.dynamoProxy.down = false;
    expect(status).toBeGreaterThanOrEqual(500);
    expect(world.github.runsFor(SHA)).toHaveLength(0);

    const build = await waitFor(() => [...world.codebuild.builds.values()][0], `a build after redelivery (${app.output})`, 40_000);
    expect(world.github.redeliveries).toHaveLength(1);
    world.codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });
    const run = await waitFor(() => world.github.runsFor(SHA).find((r) => r.status === "completed"), "the completed check run", 30_000);
    expect(run.conclusion).toBe("success");
    expect(world.github.runsFor(SHA)).toHaveLength(1);
    expect(world.codebuild.builds.size).toBe(1);
  }, TIMEOUT_MS);
});
