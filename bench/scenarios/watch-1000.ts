import { availableParallelism, loadavg } from "node:os";
import { BATCH_GET_BUILDS_MAX_IDS } from "../../src/adapters/aws/codebuild.js";
import { DynamoDbBuildRecordStore } from "../../src/adapters/aws/dynamodb/build-records.js";
import { parseSettings } from "../../src/settings.js";
import { World } from "../../test/support/child-app.js";
import { startAppProcess, type AppProcess } from "../support/app-process.js";
import { percentile } from "../support/freshness.js";
import { cpuBetween, megabytes } from "../support/process-usage.js";
import { progress, seconds, type Figure, type Scenario } from "../support/report.js";
import { seedRunningBuilds } from "../support/running-builds.js";
import { TableWrites } from "../support/table-writes.js";
import { batchRounds, sampleUntil, sampleWatcher, tickDurations, type WatcherSample } from "../support/watcher-samples.js";

const NAME = "watch-1000";
/** Running builds one app process watches: the 1,000. */
const BUILDS = 1_000;
/** Rounds measured once every build is followed. */
const MEASURED_TICKS = 12;
/** Rounds with no builds, for the app's memory before it follows any. */
const IDLE_TICKS = 2;
const RSS_TARGET_BYTES = 250 * 1024 * 1024;
const SAMPLE_EVERY_MS = 1_000;
const TAKEOVER_TIMEOUT_MS = 180_000;
const LOG_LINES = ["Running command npm ci", "added 1204 packages in 14s", "Running command npm run build", "> next build", "Compiled successfully"].map(
  (l) => `${l}\n`,
);

/** Builds the table shows watched, and by how many replicas. */
async function buildsWatched(records: DynamoDbBuildRecordStore): Promise<{ held: number; owners: number }> {
  const watchers = (await records.listRunning()).flatMap((r) => (r.watchedBy ? [r.watchedBy] : []));
  return { held: watchers.length, owners: new Set(watchers).size };
}

interface Run {
  idle: WatcherSample;
  takeoverMs: number;
  window: WatcherSample[];
  batchCalls: { ids?: unknown }[];
  logReads: number;
  watched: { held: number; owners: number };
  /** Table writes a second while watching: all, and those that only say who watches (heartbeats, takeovers). */
  tableWrites: { all: number; ownership: number };
}

/** Idle rounds, then the builds appear; once the app watches every one, MEASURED_TICKS rounds are sampled. */
async function watch(world: World, app: AppProcess, records: DynamoDbBuildRecordStore, table: TableWrites): Promise<Run> {
  const pollMs = parseSettings({}).pollIntervalMs;
  const sample = () => sampleWatcher(app, world.codebuild);
  const first = await sample();
  const idle = await sampleUntil(sample, (s) => s.ticks >= first.ticks + IDLE_TICKS, SAMPLE_EVERY_MS, (IDLE_TICKS + 2) * pollMs);
  progress(NAME, `writing ${BUILDS} running builds to the table`);
  await seedRunningBuilds(world, records, BUILDS, LOG_LINES);
  const seededAt = Date.now();
  const takeover = await sampleUntil(sample, async () => (await buildsWatched(records)).held === BUILDS, 2 * SAMPLE_EVERY_MS, TAKEOVER_TIMEOUT_MS);
  if (!takeover.done) throw new Error(`the app took only ${(await buildsWatched(records)).held} of ${BUILDS} builds in ${TAKEOVER_TIMEOUT_MS / 1000} s`);
  const takeoverMs = Date.now() - seededAt;
  // The round that took the builds over may still be reading them: the window starts after it.
  const takenAt = takeover.samples.at(-1)!;
  const start = (await sampleUntil(sample, (s) => s.ticks > takenAt.ticks, SAMPLE_EVERY_MS / 4, 3 * pollMs)).samples.at(-1)!;
  progress(NAME, `all ${BUILDS} builds taken over after ${seconds(takeoverMs)}; sampling ${MEASURED_TICKS} rounds`);
  const logReadsBefore = world.logs.calls("GetLogEvents").length;
  const measured = await sampleUntil(sample, (s) => s.ticks >= start.ticks + MEASURED_TICKS, SAMPLE_EVERY_MS, 3 * MEASURED_TICKS * pollMs);
  const window = [start, ...measured.samples];
  const end = window.at(-1)!;
  return {
    idle: idle.samples.at(-1)!,
    takeoverMs,
    window,
    batchCalls: world.codebuild.calls("BatchGetBuilds").slice(start.batchGetBuilds, end.batchGetBuilds),
    logReads: world.logs.calls("GetLogEvents").length - logReadsBefore,
    watched: await buildsWatched(records),
    tableWrites: table.perSecond(start.at, end.at),
  };
}

function figures(run: Run): Figure[] {
  const start = run.window[0]!;
  const end = run.window.at(-1)!;
  const ticks = end.ticks - start.ticks;
  const wallMs = end.at - start.at;
  // The first and last groups may be rounds cut by the window's edges.
  const rounds = batchRounds(run.batchCalls).slice(1, -1);
  const callsPerRound = rounds.map((r) => r.length);
  const buildsPerRound = rounds.map((r) => new Set(r.flat()).size);
  const expectedCalls = Math.ceil(BUILDS / BATCH_GET_BUILDS_MAX_IDS);
  const range = (values: number[]) => (Math.min(...values) === Math.max(...values) ? String(values[0]) : `${Math.min(...values)}–${Math.max(...values)}`);
  const maxRss = Math.max(...run.window.map((s) => s.usage.rssBytes));
  const durations = tickDurations(run.window).map((s) => s * 1000);
  const cpu = cpuBetween(start.usage, end.usage, wallMs);
  const cpuPerTick = ((end.usage.cpuSeconds - start.usage.cpuSeconds) / ticks) * 1000;
  const writesPerMinute = ((end.checkRunWrites - start.checkRunWrites) / wallMs) * 60_000;
  return [
    {
      name: "builds followed (watched at the end)",
      value: `${run.watched.held} of ${BUILDS}, by ${run.watched.owners} process`,
      target: String(BUILDS),
      met: run.watched.held === BUILDS && run.watched.owners === 1,
    },
    {
      name: "builds asked for in each round",
      value: `${range(buildsPerRound)} in each of ${rounds.length} rounds`,
      target: String(BUILDS),
      met: buildsPerRound.every((n) => n === BUILDS),
    },
    {
      name: "BatchGetBuilds calls per round",
      value: `${range(callsPerRound)} (${((end.batchGetBuilds - start.batchGetBuilds) / ticks).toFixed(1)} per tick overall)`,
      target: `= ${expectedCalls} (⌈${BUILDS} ÷ ${BATCH_GET_BUILDS_MAX_IDS}⌉)`,
      met: callsPerRound.every((n) => n === expectedCalls),
    },
    {
      name: "RSS: no builds / max with 1,000",
      value: `${megabytes(run.idle.usage.rssBytes)} / ${megabytes(maxRss)}`,
      target: `< ${megabytes(RSS_TARGET_BYTES)}`,
      met: maxRss < RSS_TARGET_BYTES,
    },
    { name: "CPU per poll interval (mean)", value: `${cpuPerTick.toFixed(0)} ms` },
    { name: "CPU while watching (main thread waiting for a CPU)", value: `${cpu.used} (${cpu.waiting})` },
    { name: "round duration p50 / max", value: `${percentile(durations, 50).toFixed(0)} ms / ${Math.max(...durations).toFixed(0)} ms` },
    { name: "watcher lag max (GET /metrics)", value: seconds(Math.max(...run.window.map((s) => s.lagSeconds)) * 1000) },
    { name: "time to take over 1,000 builds", value: seconds(run.takeoverMs) },
    {
      name: "while watching: table writes saying who watches / all table writes",
      value: `${run.tableWrites.ownership.toFixed(1)} / ${run.tableWrites.all.toFixed(1)} a second`,
    },
    {
      name: "while watching: log reads / check-run writes",
      value: `${((run.logReads / wallMs) * 1000).toFixed(1)} a second / ${writesPerMinute.toFixed(0)} a minute`,
    },
  ];
}

const scenario: Scenario = {
  title: `one app process watching ${BUILDS} running builds`,
  async run() {
    const world = await World.start();
    try {
      // Through a proxy that only counts writes: World's fault-injecting one would add work in this busy process.
      const table = new TableWrites(world.dynamo.endpoint);
      const app = await startAppProcess(world, { AWS_ENDPOINT_URL_DYNAMODB: await table.start() });
      const records = new DynamoDbBuildRecordStore(world.dynamo.client, parseSettings({}).tableName, console);
      const run = await watch(world, app, records, table).finally(() => table.stop());
      const settings = parseSettings({});
      return {
        title: scenario.title,
        scale:
          `none (real time), the app's default settings: POLL_INTERVAL_MS=${settings.pollIntervalMs}, LEASE_DURATION_MS=${settings.leaseDurationMs}, ` +
          `LOGS_RPS=${settings.logsRps}, GITHUB_WRITES_PER_MINUTE=${settings.githubWritesPerMinute}`,
        figures: figures(run),
        notes: [
          `the machine's load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs; other work on it slows the app (the waiting figure)`,
          "the app runs as `node --import tsx src/main.ts` in a process of its own (tsx's loader and the compiled TypeScript are part of its memory; `npm start` runs compiled JavaScript); " +
            "RSS and CPU are read from /proc/<pid>, round durations from GET /metrics; dynalite and the AWS and GitHub fakes run in the scenario's process",
          `each build is IN_PROGRESS in the fake CodeBuild with ${LOG_LINES.length} log lines in CloudWatch and its check run on GitHub; the records are written ` +
            "while the app runs, so it takes them over as a replica takes over a dead one's builds",
          `round durations (ms): ${tickDurations(run.window)
            .map((s) => (s * 1000).toFixed(0))
            .join(", ")}`,
          `the window holds ${MEASURED_TICKS} rounds after the one that took the builds over; keeping them costs no write: ` +
            `the app's heartbeat is written every ${settings.leaseDurationMs / 3 / 1000} s (a third of LEASE_DURATION_MS), however many builds it watches`,
          "CPU includes answering GET /metrics once a second for these figures",
        ],
      };
    } finally {
      await world.stop();
    }
  },
};

export default scenario;
