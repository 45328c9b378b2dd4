import { LOG_GRACE_MS } from "../../src/builds/watch/step.js";
import { routeTemplate } from "../../src/metrics/octokit.js";
import { benchSha, scaledWatcherSettings, startBenchApp, type BenchApp, type WatcherSettings } from "../support/bench-app.js";
import { freshnessOf, updatesByCommit } from "../support/check-run-updates.js";
import { BUILD_PHASES, BuildFleet, type DrivenBuild } from "../support/driven-build.js";
import { percentile } from "../support/freshness.js";
import { quotaFigures } from "../support/quota-figures.js";
import { progress, seconds, type Figure, type Scenario } from "../support/report.js";
import { delay, waitUntil } from "../support/wait.js";

const NAME = "freshness";
/** Time runs this many times faster than at the default settings: intervals ÷ SCALE, rates × SCALE. */
const SCALE = 5;
/** The issue's build: five minutes, ten phases, a line every second (in the default settings' time). */
const BUILD_MS = 300_000;
const LINE_EVERY_MS = 1_000;
const MAX_REQUESTS_PER_BUILD = 40;
const START_TIMEOUT_MS = 30_000;
/** LOG_GRACE_MS is not scaled: the completion may take that long and more in real time. */
const COMPLETION_TIMEOUT_MS = 90_000;

/** "3 × GET /route" for each route the requests went to, most frequent first. */
function routeCounts(requests: { method: string; path: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const route = `${r.method} ${routeTemplate(r.path, "")}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${n} × ${route}`)
    .join(", ");
}

/** Moves the build through its ten phases, evenly over BUILD_MS, then ends it successfully. */
async function runThroughPhases(build: DrivenBuild): Promise<void> {
  for (const [i, phase] of BUILD_PHASES.entries()) {
    if (i > 0) build.enterPhase(phase);
    await delay(BUILD_MS / SCALE / BUILD_PHASES.length);
  }
  build.succeed();
}

/** When the build's check run was completed; NaN when it was not within the timeout. */
async function completionOf(bench: BenchApp, sha: string): Promise<number> {
  const completion = () =>
    updatesByCommit(bench.github, bench.app.github.checkRuns)
      .get(sha)
      ?.find((u) => u.completed);
  if (!(await waitUntil(() => completion() !== undefined, COMPLETION_TIMEOUT_MS))) progress(NAME, "the check run never completed");
  return completion()?.at ?? NaN;
}

function figures(bench: BenchApp, settings: WatcherSettings, build: DrivenBuild, since: number, completedAt: number): Figure[] {
  const waits = freshnessOf([build], updatesByCommit(bench.github, bench.app.github.checkRuns));
  const shown = waits.filter((w): w is number => w !== undefined);
  // Shown in the default settings' time, as the targets are.
  const p50 = percentile(shown, 50) * SCALE;
  const target = (settings.pollIntervalMs + settings.checkUpdateIntervalMs) * SCALE;
  const requests = bench.github.requests.filter((r) => r.at >= since && r.at <= completedAt).length;
  return [
    { name: "log freshness p50", value: seconds(p50), target: `≤ ${seconds(target)} (POLL_INTERVAL_MS + CHECK_UPDATE_INTERVAL_MS)`, met: p50 <= target },
    { name: "log freshness p95", value: seconds(percentile(shown, 95) * SCALE) },
    { name: "log lines measured (never shown)", value: `${waits.length} (${waits.length - shown.length})` },
    { name: "GitHub requests for the build", value: String(requests), target: `≤ ${MAX_REQUESTS_PER_BUILD}`, met: requests <= MAX_REQUESTS_PER_BUILD },
    ...quotaFigures(bench),
    { name: "completion after build end (real time)", value: seconds(completedAt - build.endedAt!) },
  ];
}

const scenario: Scenario = {
  title: "one build: 10 phases over 5 minutes, a log line every second",
  async run() {
    const settings = scaledWatcherSettings(SCALE);
    const bench = await startBenchApp(settings, SCALE);
    const fleet = new BuildFleet(bench.codebuild, bench.logs, LINE_EVERY_MS / SCALE);
    try {
      const sha = benchSha(1);
      const since = Date.now();
      await bench.push(sha);
      if (!(await waitUntil(() => fleet.builds.size > 0, START_TIMEOUT_MS, 20))) throw new Error("the app did not start the build");
      const [build] = [...fleet.builds.values()];
      progress(NAME, `build started; it runs ${BUILD_MS / SCALE / 1000} s (5 minutes at ×${SCALE})`);
      await runThroughPhases(build!);
      const completedAt = await completionOf(bench, sha);
      return {
        title: scenario.title,
        scale:
          `×${SCALE}: POLL_INTERVAL_MS=${settings.pollIntervalMs}, CHECK_UPDATE_INTERVAL_MS=${settings.checkUpdateIntervalMs}, ` +
          `LOGS_RPS=${settings.logsRps}, GITHUB_WRITES_PER_MINUTE=${settings.githubWritesPerMinute}; the build runs ${BUILD_MS / SCALE / 1000} s ` +
          `with a line every ${LINE_EVERY_MS / SCALE} ms; AWS's log quota is counted per ${1000 / SCALE} ms; times are shown ×${SCALE}, as at the defaults`,
        figures: figures(bench, settings, build!, since, completedAt),
        notes: [
          `GitHub requests: ${routeCounts(bench.github.requests.filter((r) => r.at >= since && r.at <= completedAt))}`,
          `the completion waits LOG_GRACE_MS (${LOG_GRACE_MS} ms, not scaled) for CloudWatch's late lines`,
        ],
      };
    } finally {
      fleet.stop();
      await bench.stop();
    }
  },
};

export default scenario;
