import type { FakeBuild, FakeCodeBuild } from "../support/fake-codebuild.js";
import type { CheckRunState } from "../support/fake-github.js";
import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { examplePayload, pushPayload, sendWebhook } from "../support/webhooks.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
/** startTestApp's APP_ID: the app's own check runs carry it. */
const APP_ID = 1;

/** GitHub's example re-run request, made one for `run` (of `push`'s repository) by `login`. */
function rerunPayload(push: Record<string, any>, run: CheckRunState, login: string): Record<string, any> {
  const payload = examplePayload("check_run", (p) => p.action === "rerequested");
  payload.installation = { id: 7 };
  payload.repository = push.repository;
  payload.sender = { ...payload.sender, login };
  payload.check_run = {
    ...payload.check_run,
    id: run.id,
    name: run.name,
    head_sha: run.head_sha,
    external_id: run.external_id,
    app: { ...payload.check_run.app, id: APP_ID },
  };
  return payload;
}

function succeed(codebuild: FakeCodeBuild, build: FakeBuild): void {
  const t0 = build.startTime;
  codebuild.update(build.id, {
    buildStatus: "SUCCEEDED",
    currentPhase: "COMPLETED",
    endTime: t0 + 30,
    phases: [
      { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: t0, endTime: t0 + 1, durationInSeconds: 1 },
      { phaseType: "BUILD", phaseStatus: "SUCCEEDED", startTime: t0 + 1, endTime: t0 + 30, durationInSeconds: 29 },
      { phaseType: "COMPLETED", startTime: t0 + 30 },
    ],
  });
}

describe("re-running a check run, end to end over HTTP", () => {
  const site = useCodeBuildTestApp();

  async function firstBuild(push: Record<string, any>) {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", push);
    await waitFor(() => site.codebuild.builds.size === 1, "StartBuild");
    await site.app.running.app!.intake.drained();
    const [build] = [...site.codebuild.builds.values()];
    const run = site.app.github.runsFor(SHA)[0]!;
    return { build: build!, run };
  }

  test("by a writer: a second build of the same commit and a second check run that completes", async () => {
    const push = pushPayload(SHA);
    const first = await firstBuild(push);
    succeed(site.codebuild, first.build);
    site.app.github.permissions.set("maintainer", "write");
    const response = await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "check_run", rerunPayload(push, first.run, "maintainer"));
    expect(response.status).toBe(200);

    const starts = await waitFor(() => site.codebuild.calls("StartBuild").length === 2 && site.codebuild.calls("StartBuild"), "a second StartBuild");
    expect(starts[1]!.sourceVersion).toBe(starts[0]!.sourceVersion);
    const deploymentIds = starts.map(
      (s) => (s.environmentVariablesOverride as { name: string; value: string }[]).find((v) => v.name === "DEPLOYMENT_ID")!.value,
    );
    expect(deploymentIds[1]).not.toBe(deploymentIds[0]);
    expect(starts[1]!.idempotencyToken).toBe(deploymentIds[1]);

    const second = await waitFor(() => site.app.github.runsFor(SHA).find((r) => r.id !== first.run.id), "a second check run");
    expect(second).toMatchObject({ name: first.run.name, head_sha: SHA, external_id: deploymentIds[1] });
    succeed(site.codebuild, [...site.codebuild.builds.values()][1]!);
    await waitFor(() => site.app.github.runsFor(SHA).every((r) => r.status === "completed"), "both check runs completed");
    expect(site.app.github.runsFor(SHA).map((r) => r.conclusion)).toEqual(["success", "success"]);
  });

  test('"Re-run all checks" (check_suite.rerequested) by a writer: a new build and check run for the app\'s run in the suite', async () => {
    const push = pushPayload(SHA);
    const first = await firstBuild(push);
    succeed(site.codebuild, first.build);
    await waitFor(() => first.run.status === "completed", "the first run completed");
    site.app.github.permissions.set("maintainer", "write");
    const payload = examplePayload("check_suite", (p) => p.action === "rerequested");
    payload.installation = { id: 7 };
    payload.repository = push.repository;
    payload.sender = { ...payload.sender, login: "maintainer" };
    payload.check_suite = { ...payload.check_suite, id: site.app.github.suiteOf(SHA), head_sha: SHA, app: { ...payload.check_suite.app, id: APP_ID } };
    expect((await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "check_suite", payload)).status).toBe(200);

    await waitFor(() => site.codebuild.builds.size === 2, "a second build");
    succeed(site.codebuild, [...site.codebuild.builds.values()][1]!);
    await waitFor(
      () => site.app.github.runsFor(SHA).length === 2 && site.app.github.runsFor(SHA).every((r) => r.status === "completed"),
      "two completed check runs",
    );
    expect(site.app.github.runsFor(SHA).map((r) => r.conclusion)).toEqual(["success", "success"]);
  });

  test("by a user with read access: nothing", async () => {
    const push = pushPayload(SHA);
    const first = await firstBuild(push);
    site.app.github.permissions.set("reader", "read");
    const response = await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "check_run", rerunPayload(push, first.run, "reader"));
    expect(response.status).toBe(200);
    await site.app.running.app!.intake.drained();
    expect(site.codebuild.calls("StartBuild")).toHaveLength(1);
    expect(site.app.github.runsFor(SHA)).toHaveLength(1);
  });

  test("a check run completed without a build (skipped) can be re-run too: it is decided again", async () => {
    const push = pushPayload(SHA, { message: "Docs only [skip ci]" });
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", push);
    const skipped = await waitFor(() => site.app.github.runsFor(SHA)[0], "the skipped check run");
    expect(skipped.conclusion).toBe("skipped");
    site.app.github.permissions.set("maintainer", "admin");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "check_run", rerunPayload(push, skipped, "maintainer"));
    const again = await waitFor(() => site.app.github.runsFor(SHA).find((r) => r.id !== skipped.id), "a second check run");
    expect(again).toMatchObject({ status: "completed", conclusion: "skipped" });
    expect(again.external_id).not.toBe(skipped.external_id);
    expect(site.codebuild.calls("StartBuild")).toHaveLength(0);
  });
});
