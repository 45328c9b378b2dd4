import { startApp } from "../src/main.js";
import { SettingsError } from "../src/settings.js";
import { testPrivateKey } from "./support/fake-github.js";

const valid = (): NodeJS.ProcessEnv => ({
  APP_ID: "12",
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: "secret",
  AWS_REGION: "us-east-1",
  CODEBUILD_PROJECT: "builds",
  LOG_LEVEL: "silent",
});

describe("start-up refuses a bad configuration with one line naming the variable", () => {
  test.each([
    [{ PRIVATE_KEY: "not a key" }, /^Invalid PRIVATE_KEY: /],
    [{ APP_ID: "my-app" }, /^Invalid APP_ID="my-app": /],
    [{ WEBHOOK_SECRET: "" }, /^Missing WEBHOOK_SECRET: /],
    [{ CODEBUILD_PROJECT: "" }, /^Missing CODEBUILD_PROJECT: /],
    [{ LOGS_RPS: "fast" }, /^Invalid LOGS_RPS="fast": /],
    [{ CODEBUILD_PROJECTS_ALLOWED: "team-*" }, /^CODEBUILD_PROJECTS_ALLOWED was replaced by CODEBUILD_PROJECTS/],
    [{ CODEBUILD_PROJECTS: "acme/web" }, /^Invalid CODEBUILD_PROJECTS="acme\/web": /],
  ])("%j", async (change, message) => {
    const error = await startApp({ ...valid(), ...change } as NodeJS.ProcessEnv).then(
      (running) => running.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });
});

describe("first run: without APP_ID and a private key", () => {
  test("npm start serves Probot's setup page, which registers the app from app.yml", async () => {
    const { freePort } = await import("./support/app.js");
    const port = await freePort();
    // Probot's setup reads process.env: no smee.io channel (the network), and nothing written to .env.
    process.env.NO_SMEE_SETUP = "true";
    const running = await startApp({ PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "silent", NODE_ENV: "test" });
    try {
      const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" });
      expect(root.status).toBe(302);
      expect(root.headers.get("location")).toBe("/probot");
      const page = await fetch(`http://127.0.0.1:${port}/probot`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("Register GitHub App");
      // The manifest posted to GitHub is app.yml's: the name and the least-privilege permissions.
      expect(html).toContain("codebuild-checks");
      expect(html).toContain("merge_queues");
    } finally {
      await running.stop();
      delete process.env.NO_SMEE_SETUP;
    }
  });
});
