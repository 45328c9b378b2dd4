import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

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

/**
 * `describe(name, tests)` when Chromium is installed. Without it nothing runs but one line saying
 * so, and one test that fails on CI (`CI=true`), where a missing browser must never pass silently.
 */
export function describeInChromium(name: string, tests: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, tests);
    return;
  }
  console.warn("Chromium not installed: the browser tests did not run");
  test(`${name} needs ${CHROMIUM_PATH}`, () => {
    if (process.env.CI === "true") throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: CI must install Debian's chromium package before the tests`);
  });
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
