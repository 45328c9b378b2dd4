import { availableParallelism, loadavg } from "node:os";
import { DynamoDbIntakeStore } from "../../src/adapters/aws/dynamodb/intake.js";
import { INTAKE_WRITE_DEADLINE_MS } from "../../src/intake/durable.js";
import { parseSettings } from "../../src/settings.js";
import { WEBHOOK_SECRET } from "../../test/support/app.js";
import { World } from "../../test/support/child-app.js";
import { pushPayload } from "../../test/support/webhooks.js";
import { startAppProcess, type AppProcess } from "../support/app-process.js";
import { benchSha } from "../support/bench-app.js";
import { percentile } from "../support/freshness.js";
import type { MetricsScrape } from "../support/metrics-scrape.js";
import { cpuBetween, megabytes, type ProcessUsage } from "../support/process-usage.js";
import { progress, seconds, type Figure, type Scenario } from "../support/report.js";
import { delay } from "../support/wait.js";
import { sendWebhooks, signedDelivery, type DeliveryAnswer, type SignedDelivery } from "../support/webhook-sender.js";

const NAME = "webhook-ack";
/** Deliveries awaiting their answer at any moment: the issue's 50. */
const IN_FLIGHT = 50;
const WARM_UP = 50;
const DELIVERIES = 1_000;
const P99_TARGET_MS = 250;
/** After the last answer, the processing the deliveries caused is watched this long. */
const PROCESSING_WINDOW_MS = 60_000;
/** Intents looked up in the table at once. */
const LOOKUPS_AT_ONCE = 50;

/** Signed pushes of `count` new commits to main, numbered from `first`, each its own delivery. */
function pushes(first: number, count: number): SignedDelivery[] {
  return Array.from({ length: count }, (_, i) => signedDelivery(WEBHOOK_SECRET, "push", pushPayload(benchSha(first + i))));
}

/** How many of `ids` the app recorded as intents in its table. */
async function recordedIntents(world: World, ids: string[]): Promise<number> {
  const intake = new DynamoDbIntakeStore(world.dynamo.client, parseSettings({}).tableName, console);
  let recorded = 0;
  for (let i = 0; i < ids.length; i += LOOKUPS_AT_ONCE) {
    const found = await Promise.all(ids.slice(i, i + LOOKUPS_AT_ONCE).map((id) => intake.has(id)));
    recorded += found.filter(Boolean).length;
  }
  return recorded;
}

/** The measured deliveries' answers, and the app as it stood before and after answering them. */
interface Answered {
  answers: DeliveryAnswer[];
  wallMs: number;
  before: { usage: ProcessUsage; metrics: MetricsScrape };
  after: { usage: ProcessUsage; metrics: MetricsScrape };
}

/** Warms the app up, then sends DELIVERIES deliveries, IN_FLIGHT at a time. */
async function answer(app: AppProcess): Promise<Answered> {
  let before: Answered["before"] | undefined;
  progress(NAME, `sending ${WARM_UP} deliveries to warm up, then ${DELIVERIES}, ${IN_FLIGHT} at a time`);
  const answers = await sendWebhooks(app.app.webhookUrl, pushes(1, WARM_UP), pushes(WARM_UP + 1, DELIVERIES), IN_FLIGHT, async (warmUp) => {
    if (warmUp.some((a) => a.status !== 200)) progress(NAME, `warm-up answers: ${warmUp.map((a) => a.status).join(" ")}`);
    // Scraping resets the event-loop delay histogram: the next scrape covers the measured deliveries alone.
    before = { metrics: await app.metrics(), usage: app.usage() };
  });
  const startedAt = Math.min(...answers.map((a) => a.sentAt));
  const wallMs = Date.now() - startedAt;
  const usage = app.usage();
  return { answers, wallMs, before: before!, after: { usage, metrics: await app.metrics() } };
}

function ackFigures({ answers, wallMs }: Answered, recorded: number): Figure[] {
  const times = answers.map((a) => a.ms);
  const p99 = percentile(times, 99);
  const max = Math.max(...times);
  const refused = answers.filter((a) => a.status < 200 || a.status >= 300);
  const statuses = [...new Set(refused.map((a) => a.status))].join(", ");
  return [
    { name: "deliveries (in flight at once)", value: `${answers.length} (${IN_FLIGHT}), after ${WARM_UP} to warm up` },
    { name: "acknowledgement p50", value: `${percentile(times, 50).toFixed(0)} ms` },
    { name: "acknowledgement p99", value: `${p99.toFixed(0)} ms`, target: `< ${P99_TARGET_MS} ms on this 2-core machine`, met: p99 < P99_TARGET_MS },
    {
      name: "acknowledgement max",
      value: `${max.toFixed(0)} ms`,
      target: `< ${INTAKE_WRITE_DEADLINE_MS} ms (INTAKE_WRITE_DEADLINE_MS)`,
      met: max < INTAKE_WRITE_DEADLINE_MS,
    },
    { name: "answers other than 2xx", value: refused.length === 0 ? "0" : `${refused.length} (${statuses})`, target: "0", met: refused.length === 0 },
    { name: "deliveries recorded in the table", value: `${recorded} of ${answers.length}`, target: String(answers.length), met: recorded === answers.length },
    { name: "deliveries acknowledged per second", value: ((answers.length / wallMs) * 1000).toFixed(0) },
  ];
}

const PUT_ITEM = { service: "DynamoDB", operation: "PutItem" };
const AWS_DURATION = "codebuild_checks_aws_request_duration_seconds";

/** Where the time went inside the app while it answered: its CPU, the intake writes, how late its event loop ran. */
function appFigures({ before, after, wallMs }: Answered): Figure[] {
  const cpu = cpuBetween(before.usage, after.usage, wallMs);
  // One event loop answers them all: each delivery waits for the CPU time of those ahead of it.
  const cpuPerDelivery = ((after.usage.cpuSeconds - before.usage.cpuSeconds) / DELIVERIES) * 1000;
  const delta = (name: string) => after.metrics.value(name, PUT_ITEM) - before.metrics.value(name, PUT_ITEM);
  const putMs = (delta(`${AWS_DURATION}_sum`) / delta(`${AWS_DURATION}_count`)) * 1000;
  const lag = (name: string) => `${(after.metrics.value(`nodejs_eventloop_lag_${name}_seconds`) * 1000).toFixed(0)} ms`;
  return [
    { name: "app CPU while answering (its main thread waiting for a CPU)", value: `${cpu.used} (${cpu.waiting})` },
    { name: `app CPU per delivery (× ${IN_FLIGHT} in flight)`, value: `${cpuPerDelivery.toFixed(1)} ms (${(cpuPerDelivery * IN_FLIGHT).toFixed(0)} ms)` },
    { name: "intake write (PutItem) as the app timed it, mean", value: `${putMs.toFixed(0)} ms` },
    { name: "app event-loop delay while answering, p99 / max", value: `${lag("p99")} / ${lag("max")}` },
    { name: "app RSS after answering", value: megabytes(after.usage.rssBytes) },
  ];
}

/** How far the processing got: builds started and check runs created so far. */
interface Processed {
  at: number;
  builds: number;
  checkRuns: number;
}

function processedSoFar(world: World): Processed {
  return { at: Date.now(), builds: world.codebuild.calls("StartBuild").length, checkRuns: world.github.checkRuns.size };
}

/** What the app did with the deliveries after answering, watched for PROCESSING_WINDOW_MS more. */
async function watchProcessing(world: World, sentAt: number, atAnswers: Processed): Promise<Figure[]> {
  const total = WARM_UP + DELIVERIES;
  progress(NAME, `watching the processing for ${PROCESSING_WINDOW_MS / 1000} s`);
  await delay(PROCESSING_WINDOW_MS);
  const now = processedSoFar(world);
  const perMinute = ((now.builds - atAnswers.builds) / (now.at - atAnswers.at)) * 60_000;
  return [
    { name: "builds started when the last answer came", value: `${atAnswers.builds} of ${total} (${atAnswers.checkRuns} check runs)` },
    { name: `builds started ${seconds(now.at - sentAt, 0)} after the first delivery`, value: `${now.builds} of ${total} (${now.checkRuns} check runs)` },
    { name: "processing rate after the answers", value: `${perMinute.toFixed(0)} builds a minute (all ${total} in ${(total / perMinute).toFixed(0)} min)` },
  ];
}

const scenario: Scenario = {
  title: `${DELIVERIES} signed push webhooks, ${IN_FLIGHT} in flight, to the app in a process of its own`,
  async run() {
    const world = await World.start();
    try {
      // Straight to dynalite: World's fault-injecting proxy would add a hop in this busy process.
      const app = await startAppProcess(world, { AWS_ENDPOINT_URL_DYNAMODB: world.dynamo.endpoint });
      const sentAt = Date.now();
      const answered = await answer(app);
      const atAnswers = processedSoFar(world);
      const load = loadavg()[0]!.toFixed(1);
      const recorded = await recordedIntents(
        world,
        answered.answers.map((a) => a.id),
      );
      const processing = await watchProcessing(world, sentAt, atAnswers);
      const settings = parseSettings({});
      return {
        title: scenario.title,
        scale: `none (real time), the app's default settings (GITHUB_WRITES_PER_MINUTE=${settings.githubWritesPerMinute}, LEASE_DURATION_MS=${settings.leaseDurationMs})`,
        figures: [...ackFigures(answered, recorded), ...appFigures(answered), ...processing],
        notes: [
          `the machine's load average (1 min) when the last answer came: ${load} on ${availableParallelism()} CPUs; other work on it slows the app (the waiting figure)`,
          "acknowledgement: from sending a delivery (on a connection of its own, as GitHub does) to the end of the app's answer, timed by a sender in a process of its own; " +
            "the app runs as `node --import tsx src/main.ts` in a process of its own (LOG_LEVEL=warn), DynamoDB is dynalite in the scenario's process",
          `one event loop answers every delivery, so with ${IN_FLIGHT} in flight each waits for the CPU time of those ahead of it: ` +
            `about ${IN_FLIGHT} × the app's CPU per delivery, before any wait for DynamoDB or for a CPU`,
          "every delivery is a push of a new commit to main of Codertocat/Hello-World (GitHub's example payload), installation 7, with no .github/codebuild.yml (the defaults build it)",
          "processing runs beside the answers as in production: each push creates a check run, a write that GitHub's secondary limit " +
            "(and Probot, one write a second per installation) paces, so a burst of pushes to one installation is processed at about one a second",
        ],
      };
    } finally {
      await world.stop();
    }
  },
};

export default scenario;
