import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

/*
 * The check-run port's rules, end to end over HTTP and seen at GitHub: every write of a run waits
 * its turn in the installation's budget, reports that pile up while one waits go as one write with
 * the latest content, the completion is never dropped, and every string GitHub gets is masked.
 */

const GROUP = "/aws/codebuild/shared-builds";
const SHA = "c0a1e5cec0a1e5cec0a1e5cec0a1e5cec0a1e5ce";
/** A value the build hides itself (`::add-mask::`), then prints in every batch. */
const HIDDEN = "burst-value-8472";
const BATCHES = 20;
/** One write every 10 s: the whole build happens between two writes of its run. */
const WRITES_PER_MINUTE = "6";

describe("the check-run port: a burst of reports while the installation's writes wait", () => {
  const site = useCodeBuildTestApp({ GITHUB_WRITES_PER_MINUTE: WRITES_PER_MINUTE, CHECK_UPDATE_INTERVAL_MS: "0" }, { logGroup: GROUP });

  test("many reports, each due at once, reach GitHub as one or two writes with the latest lines; the completion comes last, masked, and nothing after it", async () => {
    site.codebuild.startPhase = "BUILD";
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(SHA));
    const run = await waitFor(() => site.app.github.runsFor(SHA)[0], "the check run");
    const build = await waitFor(() => [...site.codebuild.builds.values()][0], "the build");
    const stream = build.logs!.streamName!;

    site.logs.append(GROUP, stream, [`::add-mask::${HIDDEN}\n`]);
    for (let i = 1; i <= BATCHES; i++) {
      site.logs.append(GROUP, stream, [`batch ${i} uses ${HIDDEN}\n`]);
      // Each batch is read in a round of its own (POLL_INTERVAL_MS=50) and makes a report due (CHECK_UPDATE_INTERVAL_MS=0).
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    site.codebuild.endEarlier(build.id);
    await waitFor(() => run.status === "completed", "the completion", 60_000);
    // Anything that would still come after the completion has a write's spacing to show up.
    await new Promise((resolve) => setTimeout(resolve, 11_000));

    const updates = run.history.slice(1);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(2);
    expect(updates.at(-1)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(run.output?.text).toContain(`batch ${BATCHES} uses ***`);
    expect(JSON.stringify(site.app.github.requests)).not.toContain(HIDDEN);

    const metrics = await (await fetch(`${site.app.url}/metrics`)).text();
    const coalesced = Number(/^codebuild_checks_check_run_writes_coalesced_total (\d+)/m.exec(metrics)?.[1]);
    expect(coalesced).toBeGreaterThan(0);
  }, 120_000);
});
