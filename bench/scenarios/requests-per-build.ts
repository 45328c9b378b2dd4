import { routeTemplate } from "../../src/metrics/octokit.js";
import { benchSha, defaultWatcherSettings, startBenchApp, type BenchApp } from "../support/bench-app.js";
import type { GitHubRequest } from "../support/github-traffic.js";
import { progress, type Figure, type Scenario } from "../support/report.js";
import { waitUntil } from "../support/wait.js";

const NAME = "requests-per-build";
/** Quiet builds of a repository with its own `.github/codebuild.yml`, and of one without any file. */
const WITH_FILE = 20;
const WITHOUT_FILE = 10;
/** The goal: create, in progress, completion, one config read, the installation token. */
const MAX_PER_QUIET_BUILD = 5;
const TIMEOUT_MS = 300_000;
/** The app's own requests (JWT): its owner, once per process, and webhook deliveries. */
const APP_LEVEL = /^(GET|POST) \/app(\/hook\/|$)/;

/** `n × METHOD /route` of requests, most frequent first, and their count per build. */
function perBuild(requests: GitHubRequest[], builds: number): { total: number; routes: string } {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const route = `${r.method} ${routeTemplate(r.path, "").replace(/\/commits\/[^/]+\//, "/commits/{ref}/")}`;
    if (!APP_LEVEL.test(route)) counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0) / builds;
  const routes = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${(n / builds).toFixed(2)} × ${route}`)
    .join(", ");
  return { total, routes };
}

/**
 * Pushes `count` commits starting at `first`, ends each build (as if a while ago: no wait for late
 * log lines) once its check run is in progress, and returns the requests the app sent meanwhile.
 */
async function quietBuilds(bench: BenchApp, first: number, count: number): Promise<GitHubRequest[]> {
  const from = bench.github.requests.length;
  const commits = Array.from({ length: count }, (_, i) => benchSha(first + i));
  for (const commit of commits) await bench.push(commit);
  const ended = new Set<string>();
  const endRunning = () => {
    for (const build of bench.codebuild.builds.values()) {
      const commit = commits.find((c) => build.sourceVersion?.includes(c));
      const run = commit && bench.app.github.runsFor(commit)[0];
      if (!run || run.status !== "in_progress" || ended.has(build.id)) continue;
      ended.add(build.id);
      bench.codebuild.endEarlier(build.id);
    }
    return commits.every((c) => bench.app.github.runsFor(c)[0]?.status === "completed");
  };
  if (!(await waitUntil(endRunning, TIMEOUT_MS, 200))) throw new Error("not every check run completed");
  await bench.app.running.app!.intake.drained();
  return bench.github.requests.slice(from);
}

const scenario: Scenario = {
  title: "GitHub requests per quiet build, by route, at the default settings",
  async run() {
    const settings = defaultWatcherSettings();
    const bench = await startBenchApp(settings, 1);
    // A quiet build: CodeBuild has it running by the watcher's first look, and it ends without log lines.
    bench.codebuild.startPhase = "BUILD";
    bench.codebuild.logGroup = undefined;
    try {
      const repo = [...bench.app.github.repositories.keys()][0]!;
      for (let n = 1; n <= WITH_FILE; n++) bench.app.github.file(repo, benchSha(n), ".github/codebuild.yml", "buildspec: builtin:node\n");
      progress(NAME, `${WITH_FILE} quiet builds of a repository with its own .github/codebuild.yml`);
      const withFile = perBuild(await quietBuilds(bench, 1, WITH_FILE), WITH_FILE);
      progress(NAME, `${WITHOUT_FILE} quiet builds of a repository without a file`);
      const withoutFile = perBuild(await quietBuilds(bench, WITH_FILE + 1, WITHOUT_FILE), WITHOUT_FILE);
      const figures: Figure[] = [
        {
          name: `requests per quiet build, own file (${WITH_FILE} builds)`,
          value: withFile.total.toFixed(2),
          target: `≤ ${MAX_PER_QUIET_BUILD}`,
          met: withFile.total <= MAX_PER_QUIET_BUILD,
        },
        { name: `requests per quiet build, no file anywhere (${WITHOUT_FILE} builds)`, value: withoutFile.total.toFixed(2) },
        {
          name: "requests GitHub would refuse",
          value: String(bench.app.github.invalidRequests.length),
          target: "0",
          met: bench.app.github.invalidRequests.length === 0,
        },
      ];
      return {
        title: scenario.title,
        scale: `real time, the default settings (POLL_INTERVAL_MS=${settings.pollIntervalMs}, CHECK_UPDATE_INTERVAL_MS=${settings.checkUpdateIntervalMs}, GITHUB_WRITES_PER_MINUTE=${settings.githubWritesPerMinute})`,
        figures,
        notes: [
          `own file: ${withFile.routes}`,
          `no file: ${withoutFile.routes}`,
          "the installation token is asked for once and kept for the hour (Probot); GET /app (the app's owner, for ALLOWED_OWNERS) once per process",
        ],
      };
    } finally {
      await bench.stop();
    }
  },
};

export default scenario;
