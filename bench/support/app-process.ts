import { parseSettings } from "../../src/settings.js";
import type { ChildApp, World } from "../../test/support/child-app.js";
import { MetricsScrape } from "./metrics-scrape.js";
import { childProcesses, processUsage, type ProcessUsage } from "./process-usage.js";

/** How World starts the app: `node --import tsx src/main.ts`. */
const APP_ENTRY = "src/main.ts";

/**
 * The app's own defaults for the timings World shortens for tests (polls, updates, leases, budgets):
 * a benchmark measures the app as an operator runs it.
 */
export function defaultTimingEnv(): Record<string, string> {
  const s = parseSettings({});
  return {
    POLL_INTERVAL_MS: String(s.pollIntervalMs),
    CHECK_UPDATE_INTERVAL_MS: String(s.checkUpdateIntervalMs),
    LEASE_DURATION_MS: String(s.leaseDurationMs),
    LOGS_RPS: String(s.logsRps),
    GITHUB_WRITES_PER_MINUTE: String(s.githubWritesPerMinute),
  };
}

/** The app in a process of its own, whose use of memory and CPU the benchmark reads from /proc. */
export interface AppProcess {
  app: ChildApp;
  pid: number;
  usage(): ProcessUsage;
  metrics(): Promise<MetricsScrape>;
}

/** Starts the app in `world` with the default timings (and `env` over them), and finds its process. */
export async function startAppProcess(world: World, env: Record<string, string> = {}): Promise<AppProcess> {
  const before = new Set(childProcesses(process.pid, APP_ENTRY));
  const app = await world.startApp({ ...defaultTimingEnv(), ...env });
  const pid = childProcesses(process.pid, APP_ENTRY).find((p) => !before.has(p));
  if (pid === undefined) throw new Error(`the app's process (${APP_ENTRY}) is not among this process's children`);
  return { app, pid, usage: () => processUsage(pid), metrics: () => MetricsScrape.of(app.url) };
}
