import { availableParallelism, loadavg } from "node:os";
import { DynamoDbBuildRecordStore } from "../../src/adapters/aws/dynamodb/build-records.js";
import { DynamoDbIntakeStore } from "../../src/adapters/aws/dynamodb/intake.js";
import { parseSettings } from "../../src/settings.js";
import { WEBHOOK_SECRET } from "../../test/support/app.js";
import { World } from "../../test/support/child-app.js";
import { pushPayload, sendWebhook } from "../../test/support/webhooks.js";
import { startAppProcess } from "../support/app-process.js";
import { benchSha } from "../support/bench-app.js";
import { progress, seconds, type Figure, type Scenario } from "../support/report.js";
import { seedRunningBuilds } from "../support/running-builds.js";
import { delay } from "../support/wait.js";

const NAME = "resumption";
/** Running builds the killed process watched. */
const RUNNING = 200;
/** Pushes it had recorded and not processed yet. */
const PENDING = 20;
const RESUMED_TARGET_MS = 20_000;
const TIMEOUT_MS = 120_000;
const POLL_MS = 100;
/** Numbers of the pending pushes' commits, clear of the running builds'. */
const FIRST_PENDING = 10_000;

/** Polls `done` until it holds; the time it took from `since`, or Infinity after TIMEOUT_MS. */
async function timeUntil(done: () => Promise<boolean> | boolean, since: number): Promise<number> {
  while (!(await done())) {
    if (Date.now() - since > TIMEOUT_MS) return Infinity;
    await delay(POLL_MS);
  }
  return Date.now() - since;
}

const scenario: Scenario = {
  title: `an app process SIGKILLed while watching ${RUNNING} builds with ${PENDING} events pending, restarted at once`,
  async run() {
    const world = await World.start();
    try {
      const settings = parseSettings({});
      const records = new DynamoDbBuildRecordStore(world.dynamo.client, settings.tableName, console);
      const intake = new DynamoDbIntakeStore(world.dynamo.client, settings.tableName, console);
      const watchers = async () => new Set((await records.listRunning()).map((r) => r.watchedBy));
      const holders = async () => new Set((await intake.pending(Date.now(), PENDING, new Set())).map((s) => s.takenBy));
      // Its writes 10 s apart, so the events are still pending when it dies.
      const first = await startAppProcess(world, { GITHUB_WRITES_PER_MINUTE: "6" });
      await seedRunningBuilds(world, records, RUNNING, ["Running command npm test\n"]);
      progress(NAME, `${RUNNING} running builds seeded; waiting for the first process to watch them all`);
      await timeUntil(async () => {
        const running = await records.listRunning();
        return running.length === RUNNING && running.every((r) => r.watchedBy !== undefined);
      }, Date.now());
      const pending = Array.from({ length: PENDING }, (_, i) => benchSha(FIRST_PENDING + i));
      for (const sha of pending) {
        const answer = await sendWebhook(first.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha));
        if (!answer.ok) throw new Error(`the app answered a push ${answer.status}`);
      }
      const [dead] = await watchers();
      await first.app.kill("SIGKILL");
      const killedAt = Date.now();
      progress(NAME, `killed with ${PENDING} pushes pending; starting the app again`);
      await startAppProcess(world);
      const startedMs = Date.now() - killedAt;
      const takenFromDead = (now: Set<string | undefined>) => !now.has(dead) && !now.has(undefined);
      const [buildsMs, eventsMs] = await Promise.all([
        timeUntil(async () => takenFromDead(await watchers()), killedAt),
        timeUntil(async () => takenFromDead(await holders()), killedAt),
      ]);
      const createdMs = await timeUntil(() => pending.every((sha) => world.github.runsFor(sha).length > 0), killedAt);
      const duplicates = pending.filter((sha) => world.github.runsFor(sha).length > 1).length;
      const figures: Figure[] = [
        { name: "restarted process answering /healthz after the kill", value: seconds(startedMs) },
        {
          name: `all ${RUNNING} running builds watched by the new process`,
          value: seconds(buildsMs),
          target: `< ${seconds(RESUMED_TARGET_MS, 0)}`,
          met: buildsMs < RESUMED_TARGET_MS,
        },
        {
          name: `all ${PENDING} pending pushes taken up by the new process`,
          value: seconds(eventsMs),
          target: `< ${seconds(RESUMED_TARGET_MS, 0)}`,
          met: eventsMs < RESUMED_TARGET_MS,
        },
        { name: `all ${PENDING} pending pushes with their check run`, value: seconds(createdMs) },
        { name: "pushes with more than one check run", value: String(duplicates), target: "0", met: duplicates === 0 },
      ];
      return {
        title: scenario.title,
        scale: `none (real time), the app's default settings (LEASE_DURATION_MS=${settings.leaseDurationMs}, POLL_INTERVAL_MS=${settings.pollIntervalMs}, GITHUB_WRITES_PER_MINUTE=${settings.githubWritesPerMinute}); times from the kill`,
        figures,
        notes: [
          `the machine's load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`,
          "the killed process's heartbeat lives up to LEASE_DURATION_MS after its last beat (written every third of it); the new process takes its work over once it ran out: " +
            "pending events at once (its intake wakes at the heartbeat's end), running builds at the watcher's next round (POLL_INTERVAL_MS)",
          "the pending pushes' check runs are created at the default write budget, one a second, after the takeover",
        ],
      };
    } finally {
      await world.stop();
    }
  },
};

export default scenario;
