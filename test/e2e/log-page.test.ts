import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { Browser } from "../support/browser.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

const SHA = "beefbeefbeefbeefbeefbeefbeefbeefbeefbeef";
const GROUP = "/aws/codebuild/shared-builds";

describe("the log page of a private repository's build, with GitHub sign-in, end to end", () => {
  const site = useCodeBuildTestApp({ GITHUB_CLIENT_ID: "Iv1.testclient", GITHUB_CLIENT_SECRET: "client-secret" }, { logGroup: GROUP });

  test("anonymous visitors are sent to sign in; a reader signed in through GitHub sees the live log; others get 404", async () => {
    const payload = pushPayload(SHA, { message: "Ship it", private: true });
    site.app.github.repositories.set(payload.repository.full_name, { id: payload.repository.id, private: true, installationId: 7 });

    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", payload);
    await waitFor(() => site.codebuild.builds.size > 0, "StartBuild");
    const [build] = [...site.codebuild.builds.values()];
    site.codebuild.update(build!.id, { currentPhase: "BUILD", phases: [{ phaseType: "BUILD", startTime: build!.startTime }] });
    site.logs.append(GROUP, build!.id.split(":")[1]!, ["compiling <script>alert(1)</script>\n", "all good\n"]);
    const run = await waitFor(() => site.app.github.runsFor(SHA)[0], "a check run");
    await waitFor(() => run.output?.text?.includes("all good"), "the excerpt");
    const logPage = run.details_url!;
    expect(logPage).toMatch(/\/builds\/[0-9a-f]{32}$/);
    const path = new URL(logPage).pathname;

    const anonymous = new Browser();
    const first = await anonymous.request(`${site.app.url}${path}`);
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toContain("/login?return_to=");

    const reader = new Browser({ [new URL(logPage).origin]: site.app.url });
    site.app.github.oauthUser = { login: "reader", id: 77 };
    site.app.github.permissions.set("reader", "read");
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

    const stranger = new Browser({ [new URL(logPage).origin]: site.app.url });
    site.app.github.oauthUser = { login: "stranger", id: 78 };
    const refused = await stranger.open(logPage);
    expect(refused.status).toBe(404);
  });
});
