import { availableParallelism, loadavg } from "node:os";
import { parseSettings } from "../../src/settings.js";
import { WEBHOOK_SECRET } from "../../test/support/app.js";
import { World } from "../../test/support/child-app.js";
import { pushPayload, sendWebhook, type OtherInstallation } from "../../test/support/webhooks.js";
import { startAppProcess } from "../support/app-process.js";
import { benchSha } from "../support/bench-app.js";
import { progress, seconds, type Figure, type Scenario } from "../support/report.js";
import { waitUntil } from "../support/wait.js";

const NAME = "fair-installations";
/** Pushes of the busy installation waiting when the quiet one pushes: the 100. */
const BUSY_PUSHES = 100;
/** Webhooks sent at once while the backlog is made. */
const SENT_AT_ONCE = 20;
const FIRST_RUN_TARGET_MS = 5_000;
const QUIET_TIMEOUT_MS = 300_000;
const QUIET: OtherInstallation = { id: 8, repository: { id: 8_000_001, name: "quiet-site" } };
const QUIET_SHA = "9".repeat(40);

async function push(url: string, payload: Record<string, unknown>): Promise<void> {
  const response = await sendWebhook(url, WEBHOOK_SECRET, "push", payload);
  if (!response.ok) throw new Error(`the app answered a push webhook ${response.status}`);
}

const scenario: Scenario = {
  title: `a quiet installation's push while another installation has ${BUSY_PUSHES} pushes queued`,
  async run() {
    const world = await World.start();
    try {
      const { app } = await startAppProcess(world);
      const busy = Array.from({ length: BUSY_PUSHES }, (_, i) => benchSha(i + 1));
      progress(NAME, `sending ${BUSY_PUSHES} pushes of installation 7`);
      for (let i = 0; i < busy.length; i += SENT_AT_ONCE)
        await Promise.all(busy.slice(i, i + SENT_AT_ONCE).map((sha) => push(app.webhookUrl, pushPayload(sha))));
      const busyRuns = () => busy.filter((sha) => world.github.runsFor(sha).length > 0).length;
      const busyBefore = busyRuns();
      progress(NAME, `all recorded (${busyBefore} check runs created so far); the quiet installation pushes`);
      const sentAt = Date.now();
      await push(app.webhookUrl, pushPayload(QUIET_SHA, { installation: QUIET }));
      const shown = await waitUntil(() => world.github.runsFor(QUIET_SHA).length > 0, QUIET_TIMEOUT_MS, 50);
      const delayMs = shown ? Date.now() - sentAt : Infinity;
      const busyAtThatMoment = busyRuns();
      const started = await waitUntil(
        () => [...world.codebuild.builds.values()].some((b) => b.sourceVersion?.endsWith(`^{${QUIET_SHA}}`)),
        QUIET_TIMEOUT_MS,
        50,
      );
      const startMs = started ? Date.now() - sentAt : Infinity;
      const settings = parseSettings({});
      const figures: Figure[] = [
        {
          name: "quiet installation: first check run after its push",
          value: seconds(delayMs),
          target: `< ${seconds(FIRST_RUN_TARGET_MS, 0)}`,
          met: delayMs < FIRST_RUN_TARGET_MS,
        },
        { name: "quiet installation: build started after its push", value: seconds(startMs) },
        {
          name: "busy installation: pushes with a check run when the quiet one pushed / when its run appeared",
          value: `${busyBefore} / ${busyAtThatMoment} of ${BUSY_PUSHES}`,
        },
      ];
      return {
        title: scenario.title,
        scale: `none (real time), the app's default settings (GITHUB_WRITES_PER_MINUTE=${settings.githubWritesPerMinute}: the busy installation's check runs are created about one a second)`,
        figures,
        notes: [
          `the machine's load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`,
          "the app runs as `node --import tsx src/main.ts` in a process of its own; the busy installation's builds stay running in the fake CodeBuild, so its check runs also get progress updates",
        ],
      };
    } finally {
      await world.stop();
    }
  },
};

export default scenario;
