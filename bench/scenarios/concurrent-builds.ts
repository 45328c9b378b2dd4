import { writeSpacingMs } from "../../src/ports/write-budget.js";
import { LOG_GRACE_MS } from "../../src/builds/watch/step.js";
import { benchSha, defaultWatcherSettings, startBenchApp, type BenchApp, type WatcherSettings } from "../support/bench-app.js";
import { freshnessOf, updatesByCommit } from "../support/check-run-updates.js";
import { BuildFleet, type DrivenBuild } from "../support/driven-build.js";
import { percentile } from "../support/freshness.js";
import { quotaFigures } from "../support/quota-figures.js";
import { progress, seconds, type Figure, type Scenario } from "../support/report.js";
import { delay, waitUntil } from "../support/wait.js";

const NAME = "concurrent-builds";
/** Builds running through the measurement: the 100. */
const RUNNING = 100;
/** Builds that end once all run, to see whether their completions overtake progress. */
const FINISHING = 10;
const LINE_EVERY_MS = 1_000;
/** After the last check run is created, the write queue settles into its rotation. */
const SETTLE_MS = 10_000;
/** Lines written in this window are measured; the builds' writes are staggered across the period. */
const WINDOW_MS = 20_000;
/** p50 may be this many times the floor the write budget sets. */
const FLOOR_FACTOR = 1.5;
/** The write under way when a completion becomes ready goes first; no other progress write may. */
const MAX_PROGRESS_AHEAD = 1;
const RAMP_TIMEOUT_MS = 400_000;
const DELIVERY_TIMEOUT_MS = 240_000;

interface Measured {
  running: DrivenBuild[];
  finishing: DrivenBuild[];
  rampMs: number;
  from: number;
  to: number;
  endedAt: number;
}

/** Sends every push and waits until each has its build and its check run; returns how long that took. */
async function rampUp(bench: BenchApp, fleet: BuildFleet, total: number): Promise<number> {
  const startedAt = Date.now();
  for (let n = 1; n <= total; n++) await bench.push(benchSha(n));
  progress(NAME, `${total} pushes sent; waiting for their check runs (GitHub writes go 1 a second)`);
  const done = () => fleet.builds.size === total && bench.app.github.checkRuns.size === total;
  if (!(await waitUntil(done, RAMP_TIMEOUT_MS, 1000))) throw new Error(`only ${fleet.builds.size} builds and ${bench.app.github.checkRuns.size} check runs`);
  return Date.now() - startedAt;
}

/** Ramps up, ends FINISHING builds, measures a window of lines and waits until all is shown. */
async function measure(bench: BenchApp, fleet: BuildFleet): Promise<Measured> {
  const total = RUNNING + FINISHING;
  const rampMs = await rampUp(bench, fleet, total);
  progress(NAME, `all ${total} builds running after ${seconds(rampMs, 0)}; ${FINISHING} end now; measuring`);
  const all = [...fleet.builds.values()];
  const finishing = all.filter((_, i) => i % (total / FINISHING) === 0);
  const running = all.filter((b) => !finishing.includes(b));
  for (const build of finishing) build.succeed();
  await delay(SETTLE_MS);
  const from = Date.now();
  await delay(WINDOW_MS);
  const to = Date.now();
  progress(NAME, "waiting until every measured line is shown and every ended build completed");
  const delivered = () => {
    const updates = updatesByCommit(bench.github, bench.app.github.checkRuns);
    return freshnessOf(running, updates, from, to).every((w) => w !== undefined) && finishing.every((b) => updates.get(b.sha)?.some((u) => u.completed));
  };
  if (!(await waitUntil(delivered, DELIVERY_TIMEOUT_MS, 1000))) progress(NAME, `gave up waiting after ${DELIVERY_TIMEOUT_MS / 1000} s`);
  return { running, finishing, rampMs, from, to, endedAt: Date.now() };
}

function freshnessFigures(bench: BenchApp, settings: WatcherSettings, m: Measured): Figure[] {
  const waits = freshnessOf(m.running, updatesByCommit(bench.github, bench.app.github.checkRuns), m.from, m.to);
  const shown = waits.filter((w): w is number => w !== undefined);
  const p50 = percentile(shown, 50);
  const period = RUNNING * writeSpacingMs(settings.githubWritesPerMinute);
  const floor = period / 2;
  const writes = bench.github.checkRunUpdates().filter((u) => u.status < 400 && u.at >= m.from && u.at < m.endedAt).length;
  return [
    { name: "builds", value: `${RUNNING} running, ${FINISHING} ending once all run` },
    { name: `ramp: ${RUNNING + FINISHING} check runs created`, value: seconds(m.rampMs, 0) },
    { name: "write period per check run", value: seconds(period, 0), target: `builds × 60 ÷ GITHUB_WRITES_PER_MINUTE; p50 floor ${seconds(floor, 0)}` },
    {
      name: "log freshness p50",
      value: `${seconds(p50)} (${(p50 / floor).toFixed(2)} × floor)`,
      target: `${seconds(floor, 0)} ≤ p50 ≤ ${seconds(floor * FLOOR_FACTOR, 0)}`,
      met: p50 <= floor * FLOOR_FACTOR,
    },
    { name: "log freshness p95", value: seconds(percentile(shown, 95)) },
    { name: "log lines measured (never shown)", value: `${waits.length} (${waits.length - shown.length})` },
    { name: "check-run writes per minute", value: ((writes / (m.endedAt - m.from)) * 60_000).toFixed(1) },
  ];
}

/**
 * How soon the ended builds' check runs completed. A completion is ready right after the read that
 * found its log's end (the build's last read); "ahead" counts progress writes sent between the two.
 */
function completionFigures(bench: BenchApp, settings: WatcherSettings, m: Measured): Figure[] {
  const updates = updatesByCommit(bench.github, bench.app.github.checkRuns);
  const progressWrites = bench.github.checkRunUpdates().filter((u) => u.status < 400 && u.body?.status !== "completed");
  const completed = m.finishing.flatMap((build) => {
    const at = updates.get(build.sha)?.find((u) => u.completed)?.at;
    if (at === undefined) return [];
    const lastRead = Math.max(...bench.logQuota.reads.filter((r) => r.stream === build.stream && r.at <= at).map((r) => r.at));
    const ahead = progressWrites.filter((u) => u.at > lastRead && u.at < at).length;
    return [{ afterEnd: at - build.endedAt!, lastReadAfterEnd: lastRead - build.endedAt!, ahead }];
  });
  const afterEnd = completed.map((c) => c.afterEnd);
  const lastReads = completed.map((c) => c.lastReadAfterEnd);
  const maxAhead = Math.max(...completed.map((c) => c.ahead));
  const spacing = writeSpacingMs(settings.githubWritesPerMinute);
  const p50Bound = LOG_GRACE_MS + settings.pollIntervalMs + (RUNNING / settings.logsRps) * 1000 + (FINISHING + 1) * spacing;
  const maxBound = RUNNING * spacing;
  const [p50, max] = [percentile(afterEnd, 50), Math.max(...afterEnd)];
  return [
    { name: "ended builds completed", value: `${completed.length} of ${FINISHING}`, target: String(FINISHING), met: completed.length === FINISHING },
    {
      name: "completion after build end p50 / max",
      value: `${seconds(p50)} / ${seconds(max)}`,
      target: `p50 ≤ ${seconds(p50Bound, 0)}, max < ${seconds(maxBound, 0)} (one write period)`,
      met: p50 <= p50Bound && max < maxBound,
    },
    { name: "last log read after build end p50 / max", value: `${seconds(percentile(lastReads, 50))} / ${seconds(Math.max(...lastReads))}` },
    {
      name: "progress writes ahead of a ready completion",
      value: `max ${maxAhead}`,
      target: `≤ ${MAX_PROGRESS_AHEAD} (the write under way)`,
      met: maxAhead <= MAX_PROGRESS_AHEAD,
    },
  ];
}

const scenario: Scenario = {
  title: `${RUNNING} concurrent builds under the default budgets, a log line a second each`,
  async run() {
    const settings = defaultWatcherSettings();
    const bench = await startBenchApp(settings, 1);
    const fleet = new BuildFleet(bench.codebuild, bench.logs, LINE_EVERY_MS, (build) => build.enterPhase("BUILD"));
    try {
      const measured = await measure(bench, fleet);
      return {
        title: scenario.title,
        scale:
          `none (real time): POLL_INTERVAL_MS=${settings.pollIntervalMs}, CHECK_UPDATE_INTERVAL_MS=${settings.checkUpdateIntervalMs}, ` +
          `LOGS_RPS=${settings.logsRps}, GITHUB_WRITES_PER_MINUTE=${settings.githubWritesPerMinute}. Probot's Octokit spaces an ` +
          `installation's writes at least 1 s apart whatever the app's budget, so the write rate cannot be scaled`,
        figures: [...freshnessFigures(bench, settings, measured), ...completionFigures(bench, settings, measured), ...quotaFigures(bench)],
        notes: [
          `freshness counts the lines of the ${RUNNING} running builds written in a ${WINDOW_MS / 1000} s window starting ${SETTLE_MS / 1000} s after the last check run was created`,
          `completion p50 bound: LOG_GRACE_MS + POLL_INTERVAL_MS + one turn of the log-read budget (${RUNNING} builds ÷ LOGS_RPS) + ${FINISHING + 1} write spacings (the other completions and the write under way); ` +
            "max bound: a running build's next progress update comes within one write period, a completion should come before it",
          "bytes written include the last seconds' lines, not read yet when the scenario ends",
        ],
      };
    } finally {
      fleet.stop();
      await bench.stop();
    }
  },
};

export default scenario;
