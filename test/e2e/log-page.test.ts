import { FakeCloudWatchLogs } from "../support/fake-cloudwatch-logs.js";
import { FakeCodeBuild } from "../support/fake-codebuild.js";
import { startTestApp, waitFor, WEBHOOK_SECRET, type TestApp } from "../support/app.js";
import { Browser } from "../support/browser.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

const SHA = "beefbeefbeefbeefbeefbeefbeefbeefbeefbeef";
const GROUP = "/aws/codebuild/shared-builds";

describe("the log page of a private repository's build, with GitHub sign-in, end to end", () => {
  let codebuild: FakeCodeBuild;
  let cloudWatch: FakeCloudWatchLogs;
  let app: TestApp;

  beforeEach(async () => {
    codebuild = new FakeCodeBuild();
    codebuild.logGroup = GROUP;
    cloudWatch = new FakeCloudWatchLogs();
    app = await startTestApp({
      AWS_ENDPOINT_URL_CODEBUILD: await codebuild.start(),
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: await cloudWatch.start(),
      CODEBUILD_PROJECT: "shared-builds",
      GITHUB_CLIENT_ID: "Iv1.testclient",
      GITHUB_CLIENT_SECRET: "client-secret",
    });
  });

  afterEach(async () => {
    try {
      await app.stop();
    } finally {
      await Promise.all([codebuild.stop(), cloudWatch.stop()]);
    }
  });

  test("anonymous visitors are sent to sign in; a reader signed in through GitHub sees the live log; others get 404", async () => {
    const payload = pushPayload(SHA, { message: "Ship it", private: true });
    app.github.repositories.set(payload.repository.full_name, { id: payload.repository.id, private: true, installationId: 7 });

    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "push", payload);
    await waitFor(() => codebuild.builds.size > 0, "StartBuild");
    const [build] = [...codebuild.builds.values()];
    codebuild.update(build!.id, { currentPhase: "BUILD", phases: [{ phaseType: "BUILD", startTime: build!.startTime }] });
    cloudWatch.append(GROUP, build!.id.split(":")[1]!, ["compiling <script>alert(1)</script>\n", "all good\n"]);
    const run = await waitFor(() => app.github.runsFor(SHA)[0], "a check run");
    await waitFor(() => run.output?.text?.includes("all good"), "the excerpt");
    const logPage = run.details_url!;
    expect(logPage).toMatch(/\/builds\/[0-9a-f]{32}$/);
    const path = new URL(logPage).pathname;

    const anonymous = new Browser();
    const first = await anonymous.request(`${app.url}${path}`);
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toContain("/login?return_to=");

    const reader = new Browser({ [new URL(logPage).origin]: app.url });
    app.github.oauthUser = { login: "reader", id: 77 };
    app.github.permissions.set("reader", "read");
    const page = await reader.open(logPage);
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe(path);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.body).toContain("all good");
    expect(page.body).not.toContain("<script>alert(1)</script>");
    expect(page.body).not.toContain("Cancel build");

    const id = path.split("/").pop();
    const logs = await reader.request(`${new URL(logPage).origin}/api/builds/${id}/logs`);
    expect(logs.status).toBe(200);
    const answer = (await logs.json()) as { logs: { message: string }[]; complete: boolean };
    expect(answer.logs.map((l) => l.message)).toEqual(["compiling <script>alert(1)</script>", "all good"]);
    expect(answer.complete).toBe(false);

    const stranger = new Browser({ [new URL(logPage).origin]: app.url });
    app.github.oauthUser = { login: "stranger", id: 78 };
    const refused = await stranger.open(logPage);
    expect(refused.status).toBe(404);
  });
});
