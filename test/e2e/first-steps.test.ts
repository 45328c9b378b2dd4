import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp } from "../support/app.js";
import { TSX } from "../support/child-app.js";
import { testPrivateKey } from "../support/fake-github.js";
import { FakeWebhookChannel } from "../support/fake-webhook-channel.js";
import { pushPayload } from "../support/webhooks.js";

const SHA = "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed";

/**
 * A newcomer's app on a laptop, which GitHub cannot reach: webhooks come through the relay channel
 * named by WEBHOOK_PROXY_URL (smee-client, which Probot starts), and the app's address answers a page.
 */
describe("an app on a machine GitHub cannot reach, end to end", () => {
  let channel: FakeWebhookChannel;
  let site: CodeBuildTestApp | undefined;

  beforeEach(async () => {
    channel = new FakeWebhookChannel();
    await channel.start();
  });

  afterEach(async () => {
    await site?.stop();
    site = undefined;
    await channel.stop();
  });

  test("with WEBHOOK_PROXY_URL alone, a push GitHub sends to the channel reaches the app and ends in a completed check run", async () => {
    site = await startCodeBuildTestApp({ WEBHOOK_PROXY_URL: channel.url });
    // The app follows the channel once it listens: nothing else was set up to relay webhooks.
    expect(channel.followed).toBe(1);

    channel.deliver(WEBHOOK_SECRET, "push", pushPayload(SHA));
    await waitFor(() => site!.codebuild.builds.size > 0, "the relayed push's build");
    const run = await waitFor(() => site!.app.github.runsFor(SHA)[0], "a check run");
    const [build] = [...site.codebuild.builds.values()];
    site.codebuild.update(build!.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: build!.startTime + 5 });
    await waitFor(() => run.status === "completed", "completion");
    expect(run.conclusion).toBe("success");
  });

  test("a relayed webhook with a bad signature starts nothing", async () => {
    site = await startCodeBuildTestApp({ WEBHOOK_PROXY_URL: channel.url });
    channel.deliver("not-the-secret", "push", pushPayload(SHA));
    channel.deliver(WEBHOOK_SECRET, "push", pushPayload("f".repeat(40)));
    await waitFor(() => site!.codebuild.builds.size > 0, "the build of the signed push");
    expect(site.app.github.runsFor("f".repeat(40))).toHaveLength(1);
    expect(site.app.github.runsFor(SHA)).toEqual([]);
    expect([...site.codebuild.builds.values()].map((b) => b.sourceVersion)).toEqual([`refs/heads/main^{${"f".repeat(40)}}`]);
  });

  test("GET / answers a small page (what this is, health, links) with the pages' security headers", async () => {
    site = await startCodeBuildTestApp();
    const page = await fetch(`${site.app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await page.text();
    expect(body).toContain("reports each build on GitHub as a check run");
    expect(body).toContain("Healthy");
    for (const link of ["/healthz", "/seal", "/metrics"]) expect(body).toContain(`href="${link}"`);
    // Only the root: other unknown paths are still Probot's 404.
    expect((await fetch(`${site.app.url}/nothing-here`)).status).toBe(404);
  });
});

describe("after registration", () => {
  test("npm start reads the credentials Probot's setup page wrote to .env, and serves the app rather than the setup page again", async () => {
    const directory = await mkdtemp(join(tmpdir(), "cbc-registered-"));
    const [port, github] = [await freePort(), await freePort()];
    // As Probot's setup writes it: the key on one line, its line breaks as \n, in double quotes.
    const env = {
      APP_ID: "12",
      PRIVATE_KEY: `"${testPrivateKey().replace(/\n/g, "\\n")}"`,
      WEBHOOK_SECRET: "from-the-env-file",
      GITHUB_CLIENT_ID: "Iv1.registered",
      GITHUB_CLIENT_SECRET: "client-secret",
      // Nothing of it leaves the machine: GitHub is a port nobody answers on.
      GHE_HOST: `127.0.0.1:${github}`,
      GHE_PROTOCOL: "http",
    };
    await writeFile(
      join(directory, ".env"),
      Object.entries(env)
        .map(([name, value]) => `${name}=${value}`)
        .join("\n"),
      { mode: 0o600 },
    );
    const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
    const app = spawn(process.execPath, ["--import", TSX, main], {
      cwd: directory,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: join(directory, "data"),
        LOG_LEVEL: "warn",
      },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => app.once("exit", resolve));
    try {
      let health: number | undefined;
      for (const deadline = Date.now() + 30_000; health === undefined && Date.now() < deadline;) {
        health = (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status;
        if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(health).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain("codebuild-checks");
      expect((await fetch(`http://127.0.0.1:${port}/probot`)).status).toBe(404);
    } finally {
      app.kill("SIGTERM");
      await exited;
      await rm(directory, { recursive: true, force: true });
    }
  }, 40_000);
});
