import { START_ATTEMPTS } from "../../src/workflows/builds/start-attempts.js";
import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp } from "../support/app.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

/**
 * No check run left hanging (SPEC 5, 8), end to end over HTTP: a start that cannot pass completes
 * `failure` at once with what failed and what to do; one that can is tried again under a title that
 * says so; an event the intake gives up on completes the run it created.
 */
const REPO = "Codertocat/Hello-World";
const TOKEN = "gho_maintainer_token";
const OAUTH = { GITHUB_CLIENT_ID: "Iv1.testclient", GITHUB_CLIENT_SECRET: "client-secret" };

const sha = (n: number) => n.toString(16).padStart(40, "e");

const completedRun = (site: CodeBuildTestApp, commit: string, timeoutMs = 10_000) =>
  waitFor(() => site.app.github.runsFor(commit).find((r) => r.status === "completed"), `the completed run of ${commit}`, timeoutMs);

describe("a start that fails", () => {
  const site = useCodeBuildTestApp(OAUTH);

  beforeEach(() => {
    const repository = pushPayload(sha(0)).repository;
    site.app.github.repositories.set(REPO, { id: repository.id, private: true, installationId: 7 });
    site.app.github.userTokens.set(TOKEN, { login: "maintainer", id: 501 });
    site.app.github.permissions.set("maintainer", "write");
  });

  /** A secret stored through the API, then the app restarted: its next build tags the secret again (SecretTags). */
  async function storeSecretAndRestart(): Promise<void> {
    const response = await fetch(`${site.app.url}/api/repos/${REPO}/env`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ environment: "all", envVars: [{ key: "NPM_TOKEN", value: "npm-token-value-1234", isSecret: true }] }),
    });
    expect(response.status).toBe(200);
    await site.app.restart();
  }

  test.each<[string, (site: CodeBuildTestApp) => Promise<void>, string, RegExp, () => number]>([
    [
      "an operation Secrets Manager does not know",
      async () => {
        await storeSecretAndRestart();
        site.app.secretsManager.failNext.set(
          "TagResource",
          Array.from({ length: START_ATTEMPTS }, () => ({ status: 400, type: "UnknownOperationException", message: "TagResource is not supported" })),
        );
      },
      "Secrets Manager refused TagResource",
      /Secrets Manager refused `TagResource` \(`UnknownOperationException: TagResource is not supported`\)\..*AWS_ENDPOINT_URL_SECRETS_MANAGER/,
      () => site.app.secretsManager.calls("TagResource").length,
    ],
    [
      "access denied",
      async () =>
        void site.codebuild.failNext.set(
          "StartBuild",
          Array.from({ length: START_ATTEMPTS }, () => ({
            status: 400,
            type: "AccessDeniedException",
            message: "not authorized to perform codebuild:StartBuild",
          })),
        ),
      "Not allowed to start the build",
      /not allowed to start builds of `shared-builds`.*codebuild:StartBuild/,
      () => site.codebuild.calls("StartBuild").length,
    ],
    [
      "the account's concurrent-build limit",
      async () =>
        void site.codebuild.failNext.set(
          "StartBuild",
          Array.from({ length: START_ATTEMPTS }, () => ({
            status: 400,
            type: "AccountLimitExceededException",
            message: "Cannot have more than 60 active builds",
          })),
        ),
      "CodeBuild build limit reached",
      /limit of concurrent builds is reached \(`AccountLimitExceededException: Cannot have more than 60 active builds`\)/,
      () => site.codebuild.calls("StartBuild").length,
    ],
  ])("%s completes the check run failure at once, with what failed and what to do", async (_name, arrange, title, summary, calls) => {
    await arrange(site);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(1)));
    const run = await completedRun(site, sha(1));
    expect(run).toMatchObject({ conclusion: "failure", output: { title } });
    expect(run.output?.summary).toMatch(summary);
    // Once: a refusal is not tried again, and no build was started.
    expect(calls()).toBe(1);
    expect(site.codebuild.builds.size).toBe(0);
    await site.app.running.app!.intake.drained();
    expect(site.app.github.runsFor(sha(1))).toHaveLength(1);
    expect(run.history.some((body) => String((body.output as { title?: string } | undefined)?.title).startsWith("Retrying"))).toBe(false);
  });

  test("a throttled StartBuild shows the retrying title, then starts, and the build succeeds", async () => {
    const throttled = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };
    // The SDK tries three times itself: one failed attempt of the app's.
    site.codebuild.failNext.set("StartBuild", [throttled, throttled, throttled]);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(2)));
    const run = await waitFor(() => site.app.github.runsFor(sha(2))[0], "the check run");
    const build = await waitFor(() => [...site.codebuild.builds.values()][0], "the build");
    const titles = run.history.map((body) => (body.output as { title?: string } | undefined)?.title);
    expect(titles.slice(0, 2)).toEqual(["Queued", `Retrying to start — CodeBuild is throttling the app's requests (attempt 2 of ${START_ATTEMPTS})`]);
    expect(run.history[1]).toMatchObject({ status: "queued" });
    site.codebuild.endEarlier(build.id);
    const done = await completedRun(site, sha(2));
    expect(done).toMatchObject({ conclusion: "success", output: { title: expect.stringMatching(/^Build succeeded/) } });
    expect(site.codebuild.builds.size).toBe(1);
  });

  test("a long wait in CodeBuild's queue says so in the title", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(3)));
    const build = await waitFor(() => [...site.codebuild.builds.values()][0], "the build");
    site.codebuild.update(build.id, { currentPhase: "QUEUED", startTime: Date.now() / 1000 - 4 * 60 - 5 });
    const run = site.app.github.runsFor(sha(3))[0]!;
    await waitFor(() => run.output?.title?.startsWith("Queued in CodeBuild"), "the long-queue title");
    expect(run).toMatchObject({ status: "queued", output: { title: "Queued in CodeBuild for 4m — the account's concurrent-build limit?" } });
  });
});

describe("an event the intake gives up on", () => {
  const site = useCodeBuildTestApp({ LEASE_DURATION_MS: "1000" });

  test("completes the check run it created, with the reason", async () => {
    // Every attempt creates or finds the run, is refused StartBuild, and cannot say so on the run: it fails, and is tried again.
    site.codebuild.failNext.set(
      "StartBuild",
      Array.from({ length: 10 }, () => ({ status: 400, type: "AccessDeniedException", message: "denied" })),
    );
    site.app.github.failNext("PATCH", /\/check-runs\/\d+$/, 422, 5);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(4)));
    const run = await completedRun(site, sha(4), 30_000);
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "The app gave up on this build" } });
    expect(run.output?.summary).toMatch(/^Processing this event failed 5 times/);
    expect(site.codebuild.calls("StartBuild")).toHaveLength(5);
    expect(site.app.github.runsFor(sha(4))).toHaveLength(1);
  });
});
