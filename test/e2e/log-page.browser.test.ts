import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { SESSION_COOKIE } from "../../src/http/session.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeInChromium, tryInlineCode } from "../support/chromium.js";
import { builtPageScript } from "../support/page-scripts.js";
import { startBuildSite, type BuildSite } from "../http/build-harness.js";
import { buildRecord, completed, pullRequestRecord, repository } from "../support/build-records.js";

const ARTIFACTS = path.resolve("test-artifacts");

const PUBLIC_BUILD = buildRecord({ deploymentId: "a".repeat(32), repository: repository({ id: 102, owner: "octo", name: "site", private: false }) });
const PRIVATE_BUILD = pullRequestRecord({
  deploymentId: "c".repeat(32),
  repository: repository({ id: 101, owner: "octo", name: "app", private: true }),
  buildId: "shared-builds:private-1",
});

const FIRST_LINES = [
  "[Container] 2024/05/01 12:00:40.123456 Running command npm ci",
  "added 1312 packages, and audited 1313 packages in 21s",
  "[Container] 2024/05/01 12:00:41.000000 Entering phase BUILD",
  "[Container] 2024/05/01 12:00:41.000001 Running command npm run build",
  "> next build",
  "\u001b[36m  ▲ Next.js 15.3.1\u001b[39m",
  "   Creating an optimized production build ...",
  "<script>alert('not markup')</script>",
];

describeInChromium("the log page in headless Chromium", browserTests);

function browserTests(): void {
  let browser: Browser;
  let site: BuildSite;
  let context: BrowserContext;
  let problems: string[];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Each launch gets a fresh, empty profile (user-data dir) of its own; contexts give each test its viewport.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    site = await startBuildSite();
    site.github.tokens.set("gho_writer", { login: "writer", id: 1 });
    site.github.repository({ id: 101, owner: "octo", name: "app", private: true, installationId: 11, permissions: { writer: "write" } });
    await site.records.put(PUBLIC_BUILD);
    await site.records.put(PRIVATE_BUILD);
    await site.logStore.appendText(PUBLIC_BUILD.deploymentId, FIRST_LINES);
    await site.logStore.appendText(PRIVATE_BUILD.deploymentId, FIRST_LINES);
    problems = [];
  });

  afterEach(async () => {
    await context?.close();
    await site.close();
    // Blocked scripts or styles (CSP), script errors, dialogs a log line could have opened.
    expect(problems).toEqual([]);
  });

  async function open(url: string, options: Parameters<Browser["newContext"]>[0] = {}, sessionCookie?: string): Promise<Page> {
    context = await browser.newContext(options);
    if (sessionCookie) {
      const [name, value] = sessionCookie.split("=") as [string, string];
      await context.addCookies([{ name, value, url: site.url }]);
    }
    const page = await context.newPage();
    page.on("console", (message) => {
      // Chromium asks for /favicon.ico on its own; the app has none.
      if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico"))
        problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    return page;
  }

  test("follows a running build: new lines arrive, then the build completes", async () => {
    const page = await open(`${site.url}/builds/${PUBLIC_BUILD.deploymentId}`, { viewport: { width: 1280, height: 900 } });
    const lines = page.locator("#log .line");
    await expectCount(lines).toHaveCountEventually(FIRST_LINES.length);
    expect(await lines.nth(7).textContent()).toBe("<script>alert('not markup')</script>");
    expect(await page.locator("#badge").textContent()).toBe("In progress");
    // The styles loaded under the CSP: the log is light text on a dark background.
    expect(await page.evaluate<string>("getComputedStyle(document.getElementById('log')).backgroundColor")).toBe("rgb(13, 17, 23)");

    await site.logStore.appendText(PUBLIC_BUILD.deploymentId, [
      "   ✓ Compiled successfully in 14.2s",
      "<b>not bold</b>",
      "   ✓ Generating static pages (12/12)",
    ]);
    await page.locator("#log .line", { hasText: "Generating static pages (12/12)" }).waitFor({ timeout: 10_000 });
    expect(await page.locator("#log b").count()).toBe(0);
    expect(await lines.count()).toBe(FIRST_LINES.length + 3);

    await site.logStore.appendText(PUBLIC_BUILD.deploymentId, ["[Container] 2024/05/01 12:02:40.000000 Phase complete: BUILD State: SUCCEEDED"]);
    await site.records.put(completed(PUBLIC_BUILD));
    await page.locator("#badge", { hasText: "Succeeded" }).waitFor({ timeout: 10_000 });
    await page.locator("#log-state", { hasText: "End of the log" }).waitFor({ timeout: 10_000 });
    expect(await page.locator("#title").textContent()).toBe("Build succeeded in 2m 41s");
    expect(await page.locator("#phases tr").allTextContents()).toContain("BUILDsucceeded2m 1s");
    expect(await lines.count()).toBe(FIRST_LINES.length + 4);
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: path.join(ARTIFACTS, "log-page.png"), fullPage: true });
  }, 60_000);

  test("runs the script npm run build compiled, and its CSP refuses inline code", async () => {
    const page = await open(`${site.url}/builds/${PUBLIC_BUILD.deploymentId}`, { viewport: { width: 1280, height: 900 } });
    // The script follows the build: a line stored after the page loaded appears.
    await site.logStore.appendText(PUBLIC_BUILD.deploymentId, ["a line the script read"]);
    await page.locator("#log .line", { hasText: "a line the script read" }).waitFor({ timeout: 10_000 });
    const loaded = await page.evaluate<string[]>("performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname)");
    expect(loaded).toContain("/builds/assets/log-page.js");
    expect(await page.evaluate<string>("fetch('/builds/assets/log-page.js').then((response) => response.text())")).toBe(builtPageScript("log-page.js"));

    const inline = await tryInlineCode(page);
    expect(inline).toEqual({ script: { ran: false, refusedBy: "script-src-elem" }, handler: { ran: false, refusedBy: "script-src-attr" } });
    const refused = problems.filter((problem) => /Content Security Policy directive .script-src/.test(problem));
    expect(refused).toHaveLength(2);
    problems = problems.filter((problem) => !refused.includes(problem));
  }, 60_000);

  test("fits a phone: no horizontal scrolling, long lines wrap", async () => {
    await site.logStore.appendText(PUBLIC_BUILD.deploymentId, [
      `https://registry.npmjs.org/${"very-long-package-name-".repeat(12)}/-/tarball.tgz`,
      `Error: ENOENT: no such file or directory, open '/codebuild/output/src1234567890/src/github.com/octo/site/${"deep/".repeat(20)}file.ts'`,
    ]);
    const page = await open(`${site.url}/builds/${PUBLIC_BUILD.deploymentId}`, {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await expectCount(page.locator("#log .line")).toHaveCountEventually(FIRST_LINES.length + 2);
    const widths = await page.evaluate<{ scroll: number; inner: number }>("({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })");
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    await page.screenshot({ path: path.join(ARTIFACTS, "log-page-phone.png"), fullPage: true });
  }, 60_000);

  test("a signed-in writer cancels a running build from its page", async () => {
    const cookie = await site.sessionCookie({ login: "writer", id: 1 });
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    const page = await open(`${site.url}/builds/${PRIVATE_BUILD.deploymentId}`, { viewport: { width: 1280, height: 900 } }, cookie);
    expect(await page.locator(".account").textContent()).toContain("Signed in as writer");
    await page.screenshot({ path: path.join(ARTIFACTS, "log-page-writer.png") });

    await Promise.all([page.waitForURL(/\?cancel=requested$/), page.getByRole("button", { name: "Cancel build" }).click()]);
    expect(site.stopped).toEqual(["shared-builds:private-1"]);
    expect(await page.locator(".notice").textContent()).toContain("Cancellation requested");

    // The watcher sees STOPPED and completes the run: the page follows, and the button goes.
    await site.records.put(completed(PRIVATE_BUILD, "STOPPED"));
    await page.locator("#badge", { hasText: "Cancelled" }).waitFor({ timeout: 10_000 });
    expect(await page.locator("#cancel").isHidden()).toBe(true);
    expect(await page.locator("#cancel-notice").isHidden()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, "log-page-cancelled.png"), fullPage: true });
  }, 60_000);
}

/** Waits (up to 10 s) until a locator matches `count` elements. */
function expectCount(locator: ReturnType<Page["locator"]>) {
  return {
    async toHaveCountEventually(count: number): Promise<void> {
      const deadline = Date.now() + 10_000;
      while ((await locator.count()) !== count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} elements, found ${await locator.count()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
