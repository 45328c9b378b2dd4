import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import nock from "nock";
import { freePort, onFreePort, PORT_ATTEMPTS, WEBHOOK_SECRET } from "./app.js";
import { startDynalite, type Dynalite } from "./dynalite.js";
import { FakeCloudWatchLogs } from "./fake-cloudwatch-logs.js";
import { FakeCodeBuild } from "./fake-codebuild.js";
import { FakeGitHub, testPrivateKey } from "./fake-github.js";
import { FakeSecretsManager } from "./fake-secrets-manager.js";
import { FaultyProxy } from "./faulty-proxy.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** tsx's loader by its path, so that an app started in another directory finds it. */
export const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** The app runs from this checkout: another user must be able to read it, or it fails in a way that says nothing. */
function expectReadableBy(user: { uid: number; gid: number }): void {
  const loader = fileURLToPath(TSX);
  const check = spawnSync("setpriv", [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "test", "-r", loader]);
  if (check.status !== 0) {
    throw new Error(
      `uid ${user.uid} cannot read ${loader}: run the tests from a checkout every user can read (chmod o+rx on it and on each directory above it)`,
    );
  }
}

/** Where and as whom an app process runs: by default in the repository's root, as the test's own user. */
export interface ChildAppOptions {
  /** Its working directory (where Probot reads `.env`). */
  cwd?: string;
  /** Another user to run it as (through setpriv, which needs root). */
  user?: { uid: number; gid: number };
}

/**
 * Everything outside the app, for apps run as child processes: GitHub (the nock fake, served over
 * real HTTP so another process reaches it), DynamoDB (dynalite, behind a proxy that can fail calls),
 * Secrets Manager, CodeBuild and CloudWatch Logs fakes. Several app processes can share it: one
 * table, one GitHub.
 */
export class World {
  readonly github: FakeGitHub;
  readonly codebuild = new FakeCodeBuild();
  readonly logs = new FakeCloudWatchLogs();
  readonly secretsManager = new FakeSecretsManager();
  dynamo!: Dynalite;
  dynamoProxy!: FaultyProxy;
  private endpoints: Record<string, string> = {};
  private readonly apps: ChildApp[] = [];

  private constructor(githubPort: number) {
    this.github = new FakeGitHub(githubPort);
  }

  static async start(): Promise<World> {
    const world = await onFreePort(async (port) => {
      const candidate = new World(port);
      await candidate.github.serve();
      return candidate;
    });
    world.dynamo = await startDynalite();
    world.dynamoProxy = new FaultyProxy(world.dynamo.endpoint);
    world.codebuild.logGroup = "/aws/codebuild/shared-builds";
    world.endpoints = {
      AWS_ENDPOINT_URL_DYNAMODB: await world.dynamoProxy.start(),
      AWS_ENDPOINT_URL_CODEBUILD: await world.codebuild.start(),
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: await world.logs.start(),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: await world.secretsManager.start(),
    };
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1:") && host !== world.github.host);
    world.github.install();
    return world;
  }

  /** Starts `npm start`'s entry point (TypeScript run directly) in a child process, configured only by its environment. */
  async startApp(env: Record<string, string> = {}, options: ChildAppOptions = {}): Promise<ChildApp> {
    for (let attempt = 1; ; attempt++) {
      const app = await this.spawnApp(env, options);
      try {
        await app.ready();
        return app;
      } catch (error) {
        // Its port was taken between freePort and the child's listen: another port, as onFreePort does.
        if (attempt >= PORT_ATTEMPTS || !app.exited || !/EADDRINUSE|is already in use/.test(app.output)) throw error;
      }
    }
  }

  /** Starts the app's process without waiting for it: its URL is known at once (for deliveries sent while it starts). */
  async spawnApp(env: Record<string, string> = {}, options: ChildAppOptions = {}): Promise<ChildApp> {
    const port = await freePort();
    const app = new ChildApp(port, options, {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET,
      GHE_HOST: this.github.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      TABLE_AUTO_CREATE: "true",
      CODEBUILD_PROJECT: "shared-builds",
      POLL_INTERVAL_MS: "100",
      CHECK_UPDATE_INTERVAL_MS: "0",
      // A killed app's work is taken up within seconds; an app starved of CPU on a busy machine
      // (its heartbeat written every 2 s) is still not taken for dead.
      LEASE_DURATION_MS: "6000",
      ...this.endpoints,
      ...env,
    });
    this.apps.push(app);
    return app;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.kill("SIGKILL")));
    await this.github.close();
    this.github.uninstall();
    nock.cleanAll();
    nock.enableNetConnect();
    await Promise.all([this.codebuild.stop(), this.logs.stop(), this.secretsManager.stop(), this.dynamoProxy.stop()]);
    await this.dynamo.stop();
  }
}

/** One app process. */
export class ChildApp {
  readonly url: string;
  readonly webhookUrl: string;
  /** What the process wrote, for a failing test's message. */
  output = "";
  private readonly child: ChildProcess;
  private readonly exit: Promise<number | null>;

  constructor(
    readonly port: number,
    options: ChildAppOptions,
    env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.webhookUrl = `${this.url}/api/github/webhooks`;
    const node = [process.execPath, "--import", TSX, join(ROOT, "src", "main.ts")];
    const { user } = options;
    if (user) expectReadableBy(user);
    const [command, ...args] = user ? ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", ...node] : node;
    this.child = spawn(command!, args, { cwd: options.cwd ?? ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** The app's process id (setpriv becomes the app). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves with the exit code once the process has ended by itself. */
  exitCode(): Promise<number | null> {
    return this.exit;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves once /healthz answers 200. */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`the app exited while starting:\n${this.output}`);
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the app did not become healthy in ${timeoutMs} ms:\n${this.output}`);
  }

  /** Sends the signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (!this.exited) this.child.kill(signal);
    return this.exit;
  }
}
