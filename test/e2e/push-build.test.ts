import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { pushPayload as pushOf, sendWebhook } from "../support/webhooks.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

const pushPayload = (options: { message?: string } = {}) => pushOf(SHA, options);

describe("a push, end to end over HTTP", () => {
  const site = useCodeBuildTestApp();

  test("starts a CodeBuild build of the pushed commit and follows its check run to success", async () => {
    const repo = pushPayload().repository.full_name as string;
    site.app.github.file(repo, SHA, ".github/codebuild.yml", "buildspec: builtin:node\nenv:\n  GREETING: hello\n");

    const response = await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload());
    expect(response.status).toBe(200);

    const [start] = await waitFor(() => site.codebuild.calls("StartBuild").length > 0 && site.codebuild.calls("StartBuild"), "StartBuild");
    expect(start).toMatchObject({
      projectName: "shared-builds",
      sourceVersion: `refs/heads/main^{${SHA}}`,
      sourceTypeOverride: "GITHUB_ENTERPRISE",
      reportBuildStatusOverride: false,
    });
    const vars = start!.environmentVariablesOverride as { name: string; value: string; type: string }[];
    expect(vars).toEqual(
      expect.arrayContaining([
        { name: "GREETING", value: "hello", type: "PLAINTEXT" },
        { name: "COMMIT_SHA", value: SHA, type: "PLAINTEXT" },
      ]),
    );
    expect(String(start!.buildspecOverride)).toContain("version: 0.2");

    const run = await waitFor(() => site.app.github.runsFor(SHA)[0], "a check run");
    expect(run.status).toBe("queued");
    const deploymentId = vars.find((v) => v.name === "DEPLOYMENT_ID")!.value;
    expect(run.external_id).toBe(deploymentId);
    expect(start!.idempotencyToken).toBe(deploymentId);

    const [build] = [...site.codebuild.builds.values()];
    const t0 = build!.startTime;
    site.codebuild.update(build!.id, {
      currentPhase: "BUILD",
      phases: [
        { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: t0, endTime: t0 + 1, durationInSeconds: 1 },
        { phaseType: "BUILD", startTime: t0 + 1 },
      ],
    });
    await waitFor(() => run.status === "in_progress", "in_progress");
    expect(run.output?.title).toMatch(/BUILD/);

    site.codebuild.update(build!.id, {
      buildStatus: "SUCCEEDED",
      currentPhase: "COMPLETED",
      endTime: t0 + 161,
      phases: [
        { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: t0, endTime: t0 + 1, durationInSeconds: 1 },
        { phaseType: "BUILD", phaseStatus: "SUCCEEDED", startTime: t0 + 1, endTime: t0 + 161, durationInSeconds: 160 },
        { phaseType: "COMPLETED", startTime: t0 + 161 },
      ],
    });
    await waitFor(() => run.status === "completed", "completion");
    expect(run.conclusion).toBe("success");
    expect(run.output?.title).toBe("Build succeeded in 2m 41s");
    expect(run.output?.summary).toMatch(/BUILD/);
    expect(site.app.github.runsFor(SHA)).toHaveLength(1);
  });

  test("a build that fails in a phase completes its check run as failure with the phase's message", async () => {
    const response = await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload());
    expect(response.status).toBe(200);
    await waitFor(() => site.codebuild.builds.size > 0, "StartBuild");
    const [build] = [...site.codebuild.builds.values()];
    const t0 = build!.startTime;
    site.codebuild.update(build!.id, {
      buildStatus: "FAILED",
      currentPhase: "COMPLETED",
      endTime: t0 + 62,
      phases: [
        { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: t0, endTime: t0 + 1, durationInSeconds: 1 },
        {
          phaseType: "PRE_BUILD",
          phaseStatus: "FAILED",
          startTime: t0 + 1,
          endTime: t0 + 62,
          durationInSeconds: 61,
          contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm ci. Reason: exit status 1" }],
        },
      ],
    });
    const run = await waitFor(() => site.app.github.runsFor(SHA).find((r) => r.status === "completed"), "completion");
    expect(run.conclusion).toBe("failure");
    expect(run.output?.title).toMatch(/^Build failed in PRE_BUILD/);
    expect(run.output?.summary).toContain("npm ci");
  });

  test("a StartBuild refusal completes the check run as failure in words a user can act on", async () => {
    site.codebuild.failNext.set("StartBuild", [{ status: 400, type: "ResourceNotFoundException", message: "Project cannot be found" }]);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload());
    const run = await waitFor(() => site.app.github.runsFor(SHA).find((r) => r.status === "completed"), "completion");
    expect(run.conclusion).toBe("failure");
    expect(run.output?.title).toBe("CodeBuild project not found");
    expect(run.output?.summary).toContain("shared-builds");
  });

  test("a bad signature gets 4xx and causes nothing; a duplicate delivery causes nothing", async () => {
    const bad = await sendWebhook(site.app.webhookUrl, "wrong-secret", "push", pushPayload());
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);

    const first = await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(), "delivery-1");
    const again = await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(), "delivery-1");
    expect([first.status, again.status]).toEqual([200, 200]);
    await site.app.running.app!.intake.drained();
    expect(site.codebuild.calls("StartBuild")).toHaveLength(1);
    expect(site.app.github.runsFor(SHA)).toHaveLength(1);
  });

  test("[skip ci] completes a skipped check run and starts no build", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload({ message: "Docs only [skip ci]" }));
    const run = await waitFor(() => site.app.github.runsFor(SHA)[0], "a check run");
    expect(run).toMatchObject({ status: "completed", conclusion: "skipped" });
    expect(site.codebuild.calls("StartBuild")).toHaveLength(0);
  });

  test("an invalid .github/codebuild.yml starts no build and annotates the offending line", async () => {
    const repo = pushPayload().repository.full_name as string;
    site.app.github.file(repo, SHA, ".github/codebuild.yml", "check_name: CI\nlog_lines: lots\nunknown_key: 1\n");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload());
    const run = await waitFor(() => site.app.github.runsFor(SHA)[0], "a check run");
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run.output?.title).toBe("Invalid .github/codebuild.yml");
    expect(run.output?.summary).toContain("log_lines");
    expect(run.output?.summary).toContain("unknown_key");
    expect(run.output?.annotations).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: ".github/codebuild.yml", start_line: 2, annotation_level: "failure" })]),
    );
    expect(site.codebuild.calls("StartBuild")).toHaveLength(0);
  });
});
