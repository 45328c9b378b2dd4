import type { FakeCodeBuild } from "../support/fake-codebuild.js";
import { startCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp, type TestApp } from "../support/app.js";
import { examplePayload, pullRequestPayload, sendWebhook } from "../support/webhooks.js";

const HEAD = "feedfacefeedfacefeedfacefeedfacefeedface";
const UNTRUSTED_ROLE = "arn:aws:iam::123456789012:role/untrusted-builds";

const prPayload = (action: string, options: { fork?: boolean; bot?: boolean } = {}) => pullRequestPayload(action, HEAD, options);

describe("pull requests and merge groups, end to end over HTTP", () => {
  let codebuild: FakeCodeBuild;
  let app: TestApp;

  let site: CodeBuildTestApp;

  async function start(env: Record<string, string> = {}) {
    site = await startCodeBuildTestApp(env);
    ({ app, codebuild } = site);
  }

  afterEach(() => site.stop());

  test("a pull request builds its head through refs/pull/<n>/head with PR identity variables", async () => {
    await start();
    const payload = prPayload("opened");
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const [start_] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    expect(start_!.sourceVersion).toBe(`refs/pull/${payload.number}/head^{${HEAD}}`);
    expect(start_!.serviceRoleOverride).toBeUndefined();
    const vars = Object.fromEntries((start_!.environmentVariablesOverride as { name: string; value: string }[]).map((v) => [v.name, v.value]));
    expect(vars).toMatchObject({ BRANCH: "feature/login", BASE_BRANCH: "main", PR_NUMBER: String(payload.number), ENVIRONMENT: "preview" });
    const run = await waitFor(() => app.github.runsFor(HEAD)[0], "a check run");
    expect(run.status).toBe("queued");
  });

  test("closing the pull request stops its running build and its check run completes cancelled", async () => {
    await start();
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", prPayload("opened"));
    await waitFor(() => codebuild.builds.size > 0, "StartBuild");
    await app.running.app!.intake.drained();
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", prPayload("closed"));
    await waitFor(() => codebuild.calls("StopBuild").length > 0, "StopBuild");
    const run = await waitFor(() => app.github.runsFor(HEAD).find((r) => r.status === "completed"), "completion");
    expect(run.conclusion).toBe("cancelled");
  });

  test("a fork pull request without an untrusted role is not built, and its check run says why", async () => {
    await start();
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", prPayload("opened", { fork: true }));
    const run = await waitFor(() => app.github.runsFor(HEAD)[0], "a check run");
    expect(run).toMatchObject({ status: "completed", conclusion: "action_required" });
    expect(run.output?.summary).toContain("CODEBUILD_UNTRUSTED_ROLE");
    expect(codebuild.calls("StartBuild")).toHaveLength(0);
  });

  test("a fork pull request by an author without write access waits for /build <sha>", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: UNTRUSTED_ROLE });
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", prPayload("opened", { fork: true }));
    const run = await waitFor(() => app.github.runsFor(HEAD)[0], "a check run");
    expect(run).toMatchObject({ status: "completed", conclusion: "action_required" });
    expect(run.output?.summary).toContain(`/build ${HEAD}`);
    expect(codebuild.calls("StartBuild")).toHaveLength(0);
  });

  test("a fork pull request from a writer builds untrusted: untrusted role, no cache, no secrets; config from the base branch", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: UNTRUSTED_ROLE });
    const payload = prPayload("opened", { fork: true });
    app.github.permissions.set(payload.pull_request.user.login, "write");
    const repo = payload.repository.full_name as string;
    app.github.file(repo, payload.repository.default_branch, ".github/codebuild.yml", "env:\n  FROM_BASE: yes\n");
    app.github.file(repo, HEAD, ".github/codebuild.yml", "env:\n  FROM_FORK: yes\n");
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    expect(input).toMatchObject({ serviceRoleOverride: UNTRUSTED_ROLE, cacheOverride: { type: "NO_CACHE" } });
    const names = (input!.environmentVariablesOverride as { name: string; type: string }[]).map((v) => v.name);
    expect(names).toContain("FROM_BASE");
    expect(names).not.toContain("FROM_FORK");
    expect((input!.environmentVariablesOverride as { type: string }[]).every((v) => v.type === "PLAINTEXT")).toBe(true);
  });

  test("a bot's pull request builds untrusted without approval", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: UNTRUSTED_ROLE });
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", prPayload("opened", { bot: true }));
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    expect(input).toMatchObject({ serviceRoleOverride: UNTRUSTED_ROLE, cacheOverride: { type: "NO_CACHE" } });
  });

  test("a merge group builds its head commit in the preview environment", async () => {
    await start();
    const payload = examplePayload("merge_group");
    payload.installation = { id: 7 };
    app.github.appOwner = payload.repository.owner.login;
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "merge_group", payload);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    const head = payload.merge_group.head_sha as string;
    expect(input!.sourceVersion).toBe(`${payload.merge_group.head_ref}^{${head}}`);
    const vars = Object.fromEntries((input!.environmentVariablesOverride as { name: string; value: string }[]).map((v) => [v.name, v.value]));
    expect(vars.ENVIRONMENT).toBe("preview");
    await waitFor(() => app.github.runsFor(head)[0], "a check run");
  });

  test("events from an owner outside ALLOWED_OWNERS are ignored", async () => {
    await start({ ALLOWED_OWNERS: "someone-else" });
    const response = await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", prPayload("opened"));
    expect(response.status).toBe(200);
    await app.running.app!.intake.drained();
    expect(codebuild.calls("StartBuild")).toHaveLength(0);
    expect(app.github.runsFor(HEAD)).toHaveLength(0);
  });

  test("by default only the app's own owner is served (GET /app)", async () => {
    await start();
    app.github.appOwner = "not-the-repo-owner";
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", prPayload("opened"));
    await app.running.app!.intake.drained();
    expect(codebuild.calls("StartBuild")).toHaveLength(0);
  });
});
