import Bottleneck from "bottleneck";
import type { ProbotOctokit } from "probot";
import { writeSpacingMs } from "../../ports/write-budget.js";

/**
 * Probot's Octokit with its throttling plugin's write spacing set to the app's budget. The plugin
 * sends an installation's writes one at a time and at least a second apart (@octokit/plugin-throttling's
 * `write` group: maxConcurrent 1, minTime 1000), so GITHUB_WRITES_PER_MINUTE above 60 would never reach
 * GitHub. Its group takes GITHUB_WRITES_PER_MINUTE's spacing instead: writes through the app's budget
 * (GitHubWriteBudget) are already spaced so and pass straight through, and the few others (redelivery
 * requests) keep the same pace. Writes stay one at a time per installation (the plugin keys the group
 * by installation), as GitHub asks; a secondary-limit answer is not retried here (Probot's handler)
 * but reaches the budget, which pauses the installation's writes.
 */
export function octokitWithWriteSpacing<O extends typeof ProbotOctokit>(Base: O, perMinute: number): O {
  const write = new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacingMs(perMinute) });
  return Base.defaults((options: { throttle?: object }) => ({ ...options, throttle: { ...options.throttle, write } })) as O;
}
