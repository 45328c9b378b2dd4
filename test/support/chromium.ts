import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`); playwright-core brings no browser of its own. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Headless, and quiet: no first-run pages, no calls home, no updates, so every request a test sees is the page's. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** CI sets CI (GitHub Actions, GitLab and most others set it to true or 1). */
function inCi(): boolean {
  return !["", "0", "false"].includes((process.env.CI ?? "").toLowerCase());
}

/**
 * `describe(name, tests)` when Chromium is installed. Without it the tests are reported skipped,
 * with the reason; in CI (`CI` set) one test fails instead, since there a missing browser
 * must never pass unnoticed.
 */
export function describeInChromium(name: string, tests: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, tests);
  } else if (inCi()) {
    test(`${name} needs ${CHROMIUM_PATH}`, () => {
      throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: CI must install Debian's chromium package before the tests (.ci/run does)`);
    });
  } else {
    const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium runs them)`;
    // One plain line in jest's output (console.warn would add a stack), beside jest's count of skipped tests.
    process.stderr.write(`Skipped "${name}": ${reason}\n`);
    describe.skip(`${name} (skipped: ${reason})`, tests);
  }
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh user-data directory of its own, removed on close. */
export async function launchChromium(): Promise<Chromium> {
  const userDataDir = await mkdtemp(join(tmpdir(), "chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** What became of code put into the page without a file of its own: whether it ran, and the CSP directive that refused it. */
export interface InlineCodeOutcome {
  ran: boolean;
  refusedBy: string | undefined;
}

/**
 * Puts an inline `<script>` and then an inline event handler into the open page, the two ways
 * injected markup would run code, and reports for each whether it ran. Chromium logs a console
 * error for each one its CSP refuses. (Page code as text: the tests are compiled without the DOM's types.)
 */
export async function tryInlineCode(page: Page): Promise<{ script: InlineCodeOutcome; handler: InlineCodeOutcome }> {
  return page.evaluate(`(async () => {
    const attempt = (inject, mark) => new Promise((resolve) => {
      let refusedBy;
      const onViolation = (event) => (refusedBy = event.effectiveDirective);
      document.addEventListener("securitypolicyviolation", onViolation);
      inject();
      // Violation events are queued as tasks: two turns of the event loop see them delivered.
      setTimeout(() => setTimeout(() => {
        document.removeEventListener("securitypolicyviolation", onViolation);
        resolve({ ran: window[mark] === true, refusedBy });
      }));
    });
    const script = await attempt(() => {
      const element = document.createElement("script");
      element.textContent = "window.inlineScriptRan = true";
      document.head.append(element);
    }, "inlineScriptRan");
    const handler = await attempt(() => {
      const button = document.createElement("button");
      button.setAttribute("onclick", "window.inlineHandlerRan = true");
      document.body.append(button);
      button.click();
      button.remove();
    }, "inlineHandlerRan");
    return { script, handler };
  })()`);
}
