import { describeInChromium, launchChromium, type Chromium } from "../support/chromium.js";
import { useCodeBuildTestApp, WEBHOOK_SECRET } from "../support/app.js";
import { examplePayload, sendWebhook } from "../support/webhooks.js";

const VALUE = 'sealed in the browser: 🔐 ünïcode & "quotes"';

describeInChromium("a value sealed on the app's /seal page, set with /secret set", () => {
  let chromium: Chromium;

  beforeAll(async () => {
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium.close();
  });

  const site = useCodeBuildTestApp();

  test("is stored as the original value, on a public repository", async () => {
    const payload = examplePayload("issue_comment", (p) => p.action === "created");
    const repositoryId = payload.repository.id as number;
    const page = await chromium.context.newPage();
    await page.goto(`${site.app.url}/seal`);
    await page.waitForSelector("#seal:not([disabled])");
    await page.fill("#repository-id", String(repositoryId));
    await page.selectOption("#environment", "preview");
    await page.fill("#key", "NPM_TOKEN");
    await page.fill("#value", VALUE);
    await page.click("#seal");
    await page.waitForSelector("#result:not([hidden])");
    const command = await page.inputValue("#command");
    await page.close();
    expect(command).toMatch(/^\/secret set NPM_TOKEN=sealed:\S+ --environment preview$/);

    site.app.github.permissions.set("maintainer", "write");
    payload.installation = { id: 7 };
    payload.repository.private = false;
    payload.issue.pull_request = { url: "https://api.github.com/repos/x/y/pulls/1" };
    payload.comment = { ...payload.comment, id: 4242, body: command, user: { ...payload.comment.user, login: "maintainer" } };
    payload.sender = { ...payload.sender, login: "maintainer" };
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "issue_comment", payload);
    await site.app.running.app!.intake.drained();

    expect(site.app.github.deletedComments).toContain(4242);
    expect(site.app.github.comments.at(-1)?.body).toContain("Set secret `NPM_TOKEN`");
    const stored = [...site.app.secretsManager.secrets.values()].find((s) => s.name === `codebuild-checks/${repositoryId}/preview/NPM_TOKEN`);
    expect(site.app.secretsManager.currentValue(stored!.name)).toBe(VALUE);
  });
});
