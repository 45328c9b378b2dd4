import type { DeploymentState, IssueComment } from "../../src/demo/github-stand-in.js";
import { DEPLOYMENT_COMMENT_MARKER } from "../../src/deployments/comment.js";
import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp } from "../support/app.js";
import type { FakeBuild } from "../support/fake-codebuild.js";
import { examplePayload, pullRequestPayload, pushPayload, sendWebhook } from "../support/webhooks.js";

const FIRST = "feedfacefeedfacefeedfacefeedfacefeedface";
const SECOND = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const REPO = pushPayload(FIRST).repository.full_name as string;
const PR = pullRequestPayload("opened", FIRST).number as number;
const CONFIG = "deployment: true\n";

/** The build of `sha`, once CodeBuild has it. */
function buildOf(site: CodeBuildTestApp, sha: string): Promise<FakeBuild> {
  return waitFor(() => [...site.codebuild.builds.values()].find((b) => b.sourceVersion?.includes(sha)), `the build of ${sha.slice(0, 7)}`);
}

/** Ends a build as CodeBuild does, with the exported variables it reports then. */
function end(site: CodeBuildTestApp, build: FakeBuild, status: string, exported: Record<string, string> = {}): void {
  site.codebuild.update(build.id, { exportedEnvironmentVariables: Object.entries(exported).map(([name, value]) => ({ name, value })) });
  site.codebuild.endEarlier(build.id, status);
}

function deploymentOf(site: CodeBuildTestApp, sha: string): Promise<DeploymentState> {
  return waitFor(() => [...site.app.github.deployments.values()].find((d) => d.sha === sha), `the deployment of ${sha.slice(0, 7)}`);
}

const states = (deployment: DeploymentState) => deployment.statuses.map((s) => s.state);

function deploymentComments(site: CodeBuildTestApp): IssueComment[] {
  return site.app.github.comments.filter((c) => c.body.startsWith(DEPLOYMENT_COMMENT_MARKER) && !site.app.github.deletedComments.includes(c.id));
}

async function completed(site: CodeBuildTestApp, sha: string) {
  const run = await waitFor(() => site.app.github.runsFor(sha).find((r) => r.status === "completed"), `the check run of ${sha.slice(0, 7)} completed`);
  await site.app.running.app!.intake.drained();
  await site.app.running.app!.watcher.tick();
  return run;
}

/** Writes spaced 50 ms apart instead of GitHub's second, so that a test's dozen writes take no more than a moment. */
const FAST_WRITES = { GITHUB_WRITES_PER_MINUTE: "1200" };

describe("deployments and preview URLs, end to end over HTTP", () => {
  const site = useCodeBuildTestApp(FAST_WRITES);

  beforeEach(() => {
    site.codebuild.startPhase = "BUILD";
    for (const sha of [FIRST, SECOND]) site.app.github.file(REPO, sha, ".github/codebuild.yml", CONFIG);
  });

  test("a pull request: a preview deployment per commit, one comment edited in place, the first preview inactive once the second is ready", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", FIRST));
    const first = await deploymentOf(site, FIRST);
    expect(first.request).toEqual({
      ref: FIRST,
      environment: "preview",
      production_environment: false,
      transient_environment: true,
      auto_merge: false,
      required_contexts: [],
      payload: { DEPLOYMENT_ID: expect.stringMatching(/^[0-9a-f]{32}$/) },
      description: `Preview of pull request #${PR}`,
    });
    const firstBuild = await buildOf(site, FIRST);
    // The deployment was made before StartBuild, and names the build's DEPLOYMENT_ID.
    const started = site.codebuild.calls("StartBuild")[0]!;
    const variables = Object.fromEntries((started.environmentVariablesOverride as { name: string; value: string }[]).map((v) => [v.name, v.value]));
    expect(first.payload).toEqual({ DEPLOYMENT_ID: variables.DEPLOYMENT_ID });
    // Statuses wait their turn in the write budget, where a newer one replaces one not sent yet: each is seen before the build moves on.
    await waitFor(() => states(first).includes("in_progress"), "the first preview in progress");
    end(site, firstBuild, "SUCCEEDED", { DEPLOY_URL: "https://pr-1-first.preview.example.com" });
    await completed(site, FIRST);
    await waitFor(() => states(first).at(-1) === "success", "the first preview's success");
    expect(states(first)).toEqual(expect.arrayContaining(["in_progress", "success"]));
    expect(states(first).slice(-2)).toEqual(["in_progress", "success"]);
    expect(first.statuses.at(-1)).toMatchObject({
      environment_url: "https://pr-1-first.preview.example.com/",
      log_url: expect.stringMatching(new RegExp(`/builds/${variables.DEPLOYMENT_ID}$`)),
    });
    const [comment] = await waitFor(
      () => deploymentComments(site).length === 1 && deploymentComments(site)[0]!.body.includes("Ready") && deploymentComments(site),
      "the comment",
    );
    expect(comment!.issueNumber).toBe(PR);
    expect(comment!.body).toContain("[pr\\-1\\-first\\.preview\\.example\\.com](<https://pr-1-first.preview.example.com/>)");
    // The check run links the deployment too.
    expect(site.app.github.runsFor(FIRST)[0]!.output?.summary).toContain("**Deployed to**");

    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("synchronize", SECOND));
    const second = await deploymentOf(site, SECOND);
    end(site, await buildOf(site, SECOND), "SUCCEEDED", { DEPLOY_URL: "https://pr-1-second.preview.example.com" });
    await completed(site, SECOND);
    await waitFor(() => states(first).at(-1) === "inactive", "the first preview inactive");
    expect(states(second).at(-1)).toBe("success");
    await waitFor(() => deploymentComments(site)[0]!.body.includes("pr\\-1\\-second"), "the comment edited");
    const comments = deploymentComments(site);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(comment!.id);
    expect(comments[0]!.bodies.length).toBeGreaterThan(1);
    const body = comments[0]!.body;
    expect(body).toContain(`\`${SECOND.slice(0, 7)}\`: ✅ Ready`);
    expect(body).toContain("Earlier commits (1)");
    expect(body).toMatch(new RegExp(`\\| \`${FIRST.slice(0, 7)}\` \\| ⏹️ Inactive \\|`));
    expect(site.app.github.deployments.size).toBe(2);

    // `/env list` on the pull request names its latest preview.
    const pr = pullRequestPayload("synchronize", SECOND);
    site.app.github.permissions.set("maintainer", "write");
    site.app.github.pulls.set(PR, {
      number: PR,
      state: "open",
      head: { sha: SECOND, ref: "feature/login", repo: { id: pr.repository.id } },
      base: { ref: "main", repo: { id: pr.repository.id } },
      user: { login: "maintainer", id: 501, type: "User" },
    });
    const list = examplePayload("issue_comment", (p) => p.action === "created");
    Object.assign(list, { installation: { id: 7 }, repository: pr.repository, sender: { ...list.sender, login: "maintainer", type: "User" } });
    list.comment = { ...list.comment, id: 777_001, body: "/env list", user: { ...list.comment.user, login: "maintainer", type: "User" } };
    list.issue = { ...list.issue, number: PR, pull_request: { url: "https://api.github.com/repos/x/y/pulls/1" } };
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "issue_comment", list);
    const reply = await waitFor(() => site.app.github.comments.find((c) => c.body.includes("Variables of")), "the reply to /env list");
    expect(reply.body).toContain(
      `Latest preview: [https\\:\\/\\/pr\\-1\\-second\\.preview\\.example\\.com\\/](<https://pr-1-second.preview.example.com/>) (commit \`${SECOND.slice(0, 7)}\`).`,
    );
  });

  test("after a restart, the next commit's preview edits the same comment", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", FIRST));
    end(site, await buildOf(site, FIRST), "SUCCEEDED", { DEPLOY_URL: "https://pr-1-first.preview.example.com" });
    await completed(site, FIRST);
    const [comment] = await waitFor(() => deploymentComments(site)[0]?.body.includes("✅ Ready") && deploymentComments(site), "the comment");
    await site.app.restart();
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("synchronize", SECOND));
    end(site, await buildOf(site, SECOND), "SUCCEEDED", { DEPLOY_URL: "https://pr-1-second.preview.example.com" });
    await completed(site, SECOND);
    await waitFor(() => deploymentComments(site)[0]?.body.includes("pr\\-1\\-second"), "the comment edited");
    expect(deploymentComments(site).map((c) => c.id)).toEqual([comment!.id]);
    expect(site.app.github.comments.filter((c) => c.appId === 1)).toHaveLength(1);
  });

  test("a push to the default branch: a production deployment, no comment", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(FIRST));
    const deployment = await deploymentOf(site, FIRST);
    expect(deployment.request).toMatchObject({
      environment: "production",
      production_environment: true,
      transient_environment: false,
      description: "Production build of main",
    });
    end(site, await buildOf(site, FIRST), "SUCCEEDED", { DEPLOY_URL: "https://www.example.com" });
    await completed(site, FIRST);
    await waitFor(() => states(deployment).at(-1) === "success", "success");
    expect(deployment.statuses.at(-1)).toMatchObject({ environment_url: "https://www.example.com/" });
    expect(deploymentComments(site)).toHaveLength(0);
  });

  test("a failed build: its deployment fails, with the log page, and the comment says so", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", FIRST));
    const deployment = await deploymentOf(site, FIRST);
    end(site, await buildOf(site, FIRST), "FAILED", { DEPLOY_URL: "https://broken.example.com" });
    await completed(site, FIRST);
    await waitFor(() => states(deployment).at(-1) === "failure", "failure");
    expect(deployment.statuses.at(-1)).toEqual({ state: "failure", description: "The build failed", log_url: expect.stringContaining("/builds/") });
    await waitFor(() => deploymentComments(site)[0]?.body.includes("❌ Failed"), "the comment");
    expect(deploymentComments(site)[0]!.body).not.toContain("broken.example.com");
  });

  test("a build's code that exports a javascript: DEPLOY_URL, or markup: nothing is linked, and the check run says why", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", FIRST));
    const deployment = await deploymentOf(site, FIRST);
    end(site, await buildOf(site, FIRST), "SUCCEEDED", { DEPLOY_URL: "javascript:alert(document.cookie)//[x](https://evil.example)" });
    const run = await completed(site, FIRST);
    expect(run.output?.summary).toContain("DEPLOY\\_URL is a javascript\\: URL\\: only http and https addresses are published\\, so it was ignored\\.");
    await waitFor(() => states(deployment).at(-1) === "success", "success");
    expect(deployment.statuses.at(-1)).not.toHaveProperty("environment_url");
    await waitFor(() => deploymentComments(site)[0]?.body.includes("✅ Ready"), "the comment");
    const everything = JSON.stringify([run, deployment, deploymentComments(site)]);
    expect(everything).not.toContain("evil.example");
    expect(everything).not.toContain("alert(");
  });

  test("a superseded build: its preview goes inactive, the newer one is deployed", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", FIRST));
    const first = await deploymentOf(site, FIRST);
    await buildOf(site, FIRST);
    await site.app.running.app!.intake.drained();
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("synchronize", SECOND));
    await waitFor(() => site.codebuild.calls("StopBuild").length === 1, "the first build stopped");
    const second = await deploymentOf(site, SECOND);
    end(site, await buildOf(site, SECOND), "SUCCEEDED", { DEPLOY_URL: "https://pr-1-second.preview.example.com" });
    await completed(site, FIRST);
    await completed(site, SECOND);
    await waitFor(() => states(first).at(-1) === "inactive" && states(second).at(-1) === "success", "the first inactive, the second deployed");
    expect(first.statuses.at(-1)).toMatchObject({ state: "inactive", description: `Superseded by ${SECOND.slice(0, 7)}` });
    expect(states(first)).not.toContain("success");
    const inactiveRow = new RegExp(`\\| \`${FIRST.slice(0, 7)}\` \\| ⏹️ Inactive \\|`);
    await waitFor(() => deploymentComments(site)[0]?.body.includes("✅ Ready") && inactiveRow.test(deploymentComments(site)[0]!.body), "the comment");
    expect(deploymentComments(site)).toHaveLength(1);
  });

  test("a redelivered event (GitHub keeps its delivery id) makes no second deployment", async () => {
    const payload = pullRequestPayload("opened", FIRST);
    // GitHub's redelivery keeps the delivery's id.
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload, "delivery-1");
    await deploymentOf(site, FIRST);
    await site.app.running.app!.intake.drained();
    expect((await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload, "delivery-1")).status).toBe(200);
    await site.app.running.app!.intake.drained();
    expect(site.app.github.deployments.size).toBe(1);
    expect(site.codebuild.calls("StartBuild")).toHaveLength(1);
  });
});

describe("deployments: a start tried again by the intake", () => {
  const site = useCodeBuildTestApp({ ...FAST_WRITES, LEASE_DURATION_MS: "1000" });

  beforeEach(() => {
    site.codebuild.startPhase = "BUILD";
    site.app.github.file(REPO, FIRST, ".github/codebuild.yml", CONFIG);
  });

  test("an attempt after one that failed before the deployment looks it up by DEPLOYMENT_ID first; one that failed after it finds it in the build's record", async () => {
    // The first attempt cannot create the check run, nor say so on a new one: it fails before any deployment, and the intake tries again.
    site.app.github.failNext("POST", /\/check-runs$/, 422, 2);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(FIRST));
    const deployment = await deploymentOf(site, FIRST);
    await buildOf(site, FIRST);
    const lookups = site.app.github.requests.filter((r) => r.method === "GET" && r.path.includes("/deployments"));
    expect(lookups).toHaveLength(1);
    expect(site.app.github.deployments.size).toBe(1);
    end(site, await buildOf(site, FIRST), "SUCCEEDED", { DEPLOY_URL: "https://www.example.com" });
    await completed(site, FIRST);
    await waitFor(() => states(deployment).at(-1) === "success", "success");
  });

  test("a build CodeBuild refuses to start: the deployment ends error, and a second attempt of the event makes no second one", async () => {
    site.codebuild.failNext.set("StartBuild", [
      { status: 400, type: "AccessDeniedException", message: "not allowed" },
      { status: 400, type: "AccessDeniedException", message: "not allowed" },
    ]);
    // Completing the check run fails once: the event's processing fails after the deployment was made, and is tried again.
    site.app.github.failNext("PATCH", /\/check-runs\/\d+$/, 422, 1);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(FIRST));
    const deployment = await deploymentOf(site, FIRST);
    await waitFor(() => site.app.github.runsFor(FIRST).find((r) => r.status === "completed"), "the check run completed", 20_000);
    await waitFor(() => states(deployment).at(-1) === "error", "the deployment's error");
    expect(site.codebuild.calls("StartBuild")).toHaveLength(2);
    expect(site.app.github.deployments.size).toBe(1);
    expect(deployment.statuses.at(-1)).toMatchObject({ state: "error", description: "The build could not be started: the check run says why" });
  });
});

describe("deployments and trust", () => {
  const site = useCodeBuildTestApp({ ...FAST_WRITES, CODEBUILD_UNTRUSTED_ROLE: "arn:aws:iam::123456789012:role/untrusted-builds" });

  test("a fork's pull request is never a deployment, whatever it exports", async () => {
    site.codebuild.startPhase = "BUILD";
    const payload = pullRequestPayload("opened", FIRST, { fork: true });
    site.app.github.permissions.set(payload.pull_request.user.login, "write");
    // The base branch's file asks for deployments: a fork's build still makes none.
    site.app.github.file(REPO, "main", ".github/codebuild.yml", CONFIG);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const build = await buildOf(site, FIRST);
    expect(site.codebuild.calls("StartBuild")[0]).toMatchObject({ serviceRoleOverride: "arn:aws:iam::123456789012:role/untrusted-builds" });
    end(site, build, "SUCCEEDED", { DEPLOY_URL: "https://phishing.example.com" });
    const run = await completed(site, FIRST);
    expect(run.conclusion).toBe("success");
    expect(site.app.github.deployments.size).toBe(0);
    expect(site.app.github.requests.filter((r) => r.path.includes("/deployments"))).toHaveLength(0);
    expect(deploymentComments(site)).toHaveLength(0);
    expect(JSON.stringify(site.app.github.runsFor(FIRST))).not.toContain("phishing");
  });
});
