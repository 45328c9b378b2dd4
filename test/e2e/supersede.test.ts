import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { pullRequestPayload, pushPayload, sendWebhook } from "../support/webhooks.js";

const FIRST = "feedfacefeedfacefeedfacefeedfacefeedface";
const SECOND = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

describe("cancel_in_progress, end to end over HTTP", () => {
  const site = useCodeBuildTestApp();

  test("a new commit on a pull request stops its running build, whose check run completes cancelled; the new one succeeds", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", FIRST));
    await waitFor(() => site.codebuild.builds.size === 1, "the first StartBuild");
    await site.app.running.app!.intake.drained();
    const [first] = [...site.codebuild.builds.values()];

    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("synchronize", SECOND));
    await waitFor(() => site.codebuild.builds.size === 2, "the second StartBuild");
    expect(site.codebuild.calls("StopBuild")).toEqual([{ id: first!.id }]);
    const second = [...site.codebuild.builds.values()][1]!;
    const t0 = second.startTime;
    site.codebuild.update(second.id, {
      buildStatus: "SUCCEEDED",
      currentPhase: "COMPLETED",
      endTime: t0 + 20,
      phases: [{ phaseType: "BUILD", phaseStatus: "SUCCEEDED", startTime: t0, endTime: t0 + 20, durationInSeconds: 20 }],
    });

    const stopped = await waitFor(() => site.app.github.runsFor(FIRST).find((r) => r.status === "completed"), "the first run's completion");
    expect(stopped.conclusion).toBe("cancelled");
    expect(stopped.output?.title).toBe(`Cancelled — superseded by ${SECOND.slice(0, 7)}`);
    const latest = await waitFor(() => site.app.github.runsFor(SECOND).find((r) => r.status === "completed"), "the second run's completion");
    expect(latest.conclusion).toBe("success");
  });

  test("pushes do not supersede by default: both builds of the branch run", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(FIRST));
    await waitFor(() => site.codebuild.builds.size === 1, "the first StartBuild");
    await site.app.running.app!.intake.drained();
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(SECOND));
    await waitFor(() => site.codebuild.builds.size === 2, "the second StartBuild");
    await site.app.running.app!.intake.drained();
    expect(site.codebuild.calls("StopBuild")).toHaveLength(0);
  });

  test("cancel_in_progress: true in the file makes a push supersede the branch's running build", async () => {
    const repo = pushPayload(FIRST).repository.full_name as string;
    site.app.github.file(repo, SECOND, ".github/codebuild.yml", "cancel_in_progress: true\n");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(FIRST));
    await waitFor(() => site.codebuild.builds.size === 1, "the first StartBuild");
    await site.app.running.app!.intake.drained();
    const [first] = [...site.codebuild.builds.values()];
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(SECOND));
    await waitFor(() => site.codebuild.calls("StopBuild").length > 0, "StopBuild");
    expect(site.codebuild.calls("StopBuild")).toEqual([{ id: first!.id }]);
  });
});
