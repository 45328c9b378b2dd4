import nock from "nock";
import { EMBEDDED_DYNAMODB_ENDPOINT } from "../../src/adapters/local/embedded-dynamodb.js";
import { freePort } from "../../src/demo/free-port.js";
import { startApp, type RunningApp } from "../../src/main.js";
import { startDynalite, type Dynalite } from "./dynalite.js";
import { FakeCloudWatchLogs } from "./fake-cloudwatch-logs.js";
import { FakeCodeBuild } from "./fake-codebuild.js";
import { FakeGitHub, testPrivateKey, type InvalidRequest } from "./fake-github.js";
import { FakeSecretsManager } from "./fake-secrets-manager.js";

export const WEBHOOK_SECRET = "test-webhook-secret";
/** Embedded mode's store, which the app reaches on its Unix socket under this name (nock sees the name). */
const EMBEDDED_DYNAMODB_HOST = `${new URL(EMBEDDED_DYNAMODB_ENDPOINT).hostname}:80`;

export { freePort };

/** How many ports to try when the one `freePort` gave was taken before the server bound it. */
export const PORT_ATTEMPTS = 5;

/**
 * A port `freePort` gave may be taken before a server binds it (by another test worker, or as the
 * source port of an outgoing connection): this says whether that is why a start failed.
 */
export function isAddressInUse(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "EADDRINUSE";
}

/** Starts a server on a free port, with another port when the first was taken meanwhile. */
export async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !isAddressInUse(error)) throw error;
    }
  }
}

export interface TestApp {
  running: RunningApp;
  github: FakeGitHub;
  /** The app's table, in a dynalite of the test's own. */
  dynamo: Dynalite;
  secretsManager: FakeSecretsManager;
  url: string;
  webhookUrl: string;
  /**
   * Stops the app and starts it again as a new process would: same table, secrets and fakes, and the
   * same environment but for `changed` (an operator's new settings).
   */
  restart(changed?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real app, started as `npm start` starts it, configured only through its
 * environment: GitHub at GHE_PROTOCOL/GHE_HOST (nock), AWS at AWS_ENDPOINT_URL_*.
 * The AWS SDK reads its variables from process.env, so they are set there for the test.
 * DynamoDB (dynalite) and Secrets Manager (a fake) come with it; CodeBuild is the test's.
 */
export async function startTestApp(env: Record<string, string>): Promise<TestApp> {
  const dynamo = await startDynalite();
  const secretsManager = new FakeSecretsManager();
  const secretsManagerEndpoint = await secretsManager.start();
  const github = new FakeGitHub(await freePort());
  nock.disableNetConnect();
  nock.enableNetConnect((host) => (host.startsWith("127.0.0.1:") && host !== github.host) || host === EMBEDDED_DYNAMODB_HOST);
  github.install();
  const appEnv: Record<string, string> = {
    APP_ID: "1",
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: "",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    POLL_INTERVAL_MS: "50",
    CHECK_UPDATE_INTERVAL_MS: "0",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerEndpoint,
    TABLE_AUTO_CREATE: "true",
    ...env,
  };
  const saved = Object.fromEntries(Object.keys(appEnv).map((k) => [k, process.env[k]]));
  // Embedded mode narrows the process's umask for DATA_DIR: the test files that run after in this process keep theirs.
  const umask = process.umask(0o022);
  process.umask(umask);
  Object.assign(process.env, appEnv);
  const running = await onFreePort((port) => {
    process.env.PORT = String(port);
    return startApp(process.env);
  });
  const url = `http://127.0.0.1:${process.env.PORT}`;
  const app: TestApp = {
    running,
    async restart(changed = {}) {
      await app.running.stop();
      for (const k of Object.keys(changed)) if (!(k in saved)) saved[k] = process.env[k];
      Object.assign(process.env, changed);
      app.running = await startApp(process.env);
    },
    github,
    dynamo,
    secretsManager,
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    async stop() {
      try {
        await app.running.stop();
      } finally {
        await dynamo.stop();
        await secretsManager.stop();
      }
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      process.umask(umask);
      nock.cleanAll();
      nock.enableNetConnect();
      github.uninstall();
      if (github.invalidRequests.length > 0) throw new Error(describeInvalidRequests(github.invalidRequests));
    },
  };
  return app;
}

export interface CodeBuildTestApp {
  app: TestApp;
  codebuild: FakeCodeBuild;
  /** CloudWatch Logs (the fake), where builds log when started with a `logGroup`. */
  logs: FakeCloudWatchLogs;
  stop(): Promise<void>;
}

/**
 * The app with a CodeBuild and a CloudWatch Logs of its own (the fakes) and the default project
 * `shared-builds`; with `logGroup`, new builds say they log there.
 */
export async function startCodeBuildTestApp(env: Record<string, string> = {}, options: { logGroup?: string } = {}): Promise<CodeBuildTestApp> {
  const codebuild = new FakeCodeBuild();
  codebuild.logGroup = options.logGroup;
  const logs = new FakeCloudWatchLogs();
  const app = await startTestApp({
    AWS_ENDPOINT_URL_CODEBUILD: await codebuild.start(),
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: await logs.start(),
    CODEBUILD_PROJECT: "shared-builds",
    ...env,
  });
  return {
    app,
    codebuild,
    logs,
    async stop() {
      try {
        await app.stop();
      } finally {
        await Promise.all([codebuild.stop(), logs.stop()]);
      }
    },
  };
}

/** A fresh `startCodeBuildTestApp` for each test of the describe block it is called in, stopped after it. */
export function useCodeBuildTestApp(env: Record<string, string> = {}, options: { logGroup?: string } = {}): CodeBuildTestApp {
  const site = {} as CodeBuildTestApp;
  beforeEach(async () => {
    Object.assign(site, await startCodeBuildTestApp(env, options));
  });
  afterEach(() => site.stop());
  return site;
}

function describeInvalidRequests(invalid: InvalidRequest[]): string {
  const lines = invalid.flatMap(({ method, path, problems }) => [`  ${method} ${path}`, ...problems.map((p) => `    - ${p}`)]);
  return [`The app sent ${invalid.length} GitHub request(s) that GitHub's OpenAPI description does not allow or the fake cannot answer:`, ...lines].join("\n");
}

/** Polls until `check` returns (or resolves to) a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
