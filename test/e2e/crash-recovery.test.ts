import { waitFor } from "../support/app.js";
import { World, type ChildApp } from "../support/child-app.js";
import { Deliveries } from "../support/deliveries.js";
import type { FakeCodeBuild } from "../support/fake-codebuild.js";
import { pushPayload } from "../support/webhooks.js";

/** SPEC 8 end to end, with the app as a child process that a test can kill. */
const TIMEOUT_MS = 120_000;

const shaOf = (n: number) => n.toString(16).padStart(40, "a");

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

  test("SIGKILL in the middle of 30 webhooks, restart on the same table: every push ends in exactly one build and one completed check run", async () => {
    const first = await world.startApp();
    const deliveries = new Deliveries(world.github, first.webhookUrl);
    const shas = Array.from({ length: 30 }, (_, i) => shaOf(i + 1));

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

    const second: ChildApp = await world.startApp();
    deliveries.target = second.webhookUrl;

    await waitFor(
      () => shas.every((sha) => world.github.runsFor(sha).some((run) => run.status === "completed")),
      `every push's check run completed (${second.output})`,
      90_000,
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
  }, TIMEOUT_MS);
});
