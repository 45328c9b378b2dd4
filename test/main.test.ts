import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    [{ WEBHOOK_PROXY_URL: "smee.io/abc" }, /^Invalid WEBHOOK_PROXY_URL="smee\.io\/abc": expected a webhook relay channel's URL/],
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

describe("WEBHOOK_PROXY_URL", () => {
  test("a relay channel that cannot be reached stops the start with one line, and nothing is left listening", async () => {
    const { freePort } = await import("./support/app.js");
    const [port, closed] = [await freePort(), await freePort()];
    const dataDir = await mkdtemp(join(tmpdir(), "cbc-relay-"));
    try {
      const error = await startApp({
        ...valid(),
        AWS_REGION: "",
        CODEBUILD_PROJECT: "",
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: "127.0.0.1",
        WEBHOOK_PROXY_URL: `http://127.0.0.1:${closed}/channel`,
      }).then(
        (running) => running.stop().then(() => undefined),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SettingsError);
      expect((error as Error).message).toMatch(
        new RegExp(`^WEBHOOK_PROXY_URL=http://127\\.0\\.0\\.1:${closed}/channel cannot be reached.*: check the channel's URL`),
      );
      expect((error as Error).message).not.toContain("\n");
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
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
      // What to do next, in one sentence (Probot shows the package's description on its setup page).
      expect(html).toContain("Next: register the GitHub App below under a name of your own, install it on a test repository, and start the app again.");
      // The manifest posted to GitHub is app.yml's: the name and the least-privilege permissions.
      expect(html).toContain("codebuild-checks");
      expect(html).toContain("merge_queues");
    } finally {
      await running.stop();
      delete process.env.NO_SMEE_SETUP;
    }
  });
});
