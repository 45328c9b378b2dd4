import type { DeploymentState, IssueComment } from "../../src/demo/github-stand-in.js";
import { DEPLOYMENT_COMMENT_MARKER } from "../../src/deployments/comment.js";
import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp } from "../support/app.js";
import type { FakeBuild } from "../support/fake-codebuild.js";
import { pullRequestPayload, pushPayload, sendWebhook } from "../support/webhooks.js";

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

describe("deployments and preview URLs, end to end over HTTP", () => {
  const site = useCodeBuildTestApp();

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
    const [comment] = await waitFor(() => deploymentComments(site).length === 1 && deploymentComments(site)[0]!.body.includes("Ready") && deploymentComments(site), "the comment");
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
  });

  test("a push to the default branch: a production deployment, no comment", async () => {
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(FIRST));
    const deployment = await deploymentOf(site, FIRST);
    expect(deployment.request).toMatchObject({ environment: "production", production_environment: true, transient_environment: false, description: "Production build of main" });
    end(site, await buildOf(site, FIRST), "SUCCEEDED", { DEPLOY_URL: "https://www.example.com" });
    await completed(site, FIRST);
    await waitFor(() => states(deployment).at(-1) === "success", "success");
    expect(deployment.statuses.at(-1)).toMatchObject({ environment_url: "https://www.example.com/" });
    expect(deploymentComments(site)).toHaveLength(0);
  });
});
