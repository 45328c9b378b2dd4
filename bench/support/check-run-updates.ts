import type { CheckRunState } from "../../test/support/fake-github.js";
import { lastLineShown, lineFreshness, type ShownUpdate } from "./freshness.js";
import type { DrivenBuild } from "./driven-build.js";
import type { GitHubTraffic } from "./github-traffic.js";

/** A check-run update the app sent, read for what the benchmark measures. */
export interface CheckRunUpdate extends ShownUpdate {
  completed: boolean;
}

/** Each commit's check-run updates, in the order they were sent. */
export function updatesByCommit(traffic: GitHubTraffic, checkRuns: ReadonlyMap<number, CheckRunState>): Map<string, CheckRunUpdate[]> {
  const byCommit = new Map<string, CheckRunUpdate[]>();
  for (const request of traffic.checkRunUpdates()) {
    const sha = checkRuns.get(request.checkRunId)?.head_sha;
    if (!sha || request.status >= 400) continue;
    const output = request.body?.output as { text?: string } | undefined;
    const updates = byCommit.get(sha) ?? [];
    byCommit.set(sha, updates);
    updates.push({ at: request.at, lastSeq: lastLineShown(output?.text), completed: request.body?.status === "completed" });
  }
  return byCommit;
}

/** How long each line of `builds` written between `from` and `to` waited to be seen; undefined: not yet. */
export function freshnessOf(
  builds: readonly DrivenBuild[],
  updates: ReadonlyMap<string, CheckRunUpdate[]>,
  from = -Infinity,
  to = Infinity,
): (number | undefined)[] {
  return builds.flatMap((build) => {
    const lines = build.lines.filter((line) => line.at >= from && line.at < to);
    return lineFreshness(lines, updates.get(build.sha) ?? []);
  });
}
