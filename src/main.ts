import { createPrivateKey } from "node:crypto";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { getPrivateKey } from "@probot/get-private-key";
import type { Logger } from "pino";
import { Probot, run, Server, type ProbotOctokit } from "probot";
import { createLogger } from "./log.js";
import { LogMasking } from "./log-masking.js";
import { limitWebhookBodies } from "./http/webhook-body.js";
import { octokitWithWriteSpacing } from "./adapters/github/octokit-writes.js";
import { octokitWithMetrics } from "./metrics/octokit.js";
import { AppMetrics } from "./metrics/registry.js";
import { codebuildChecks, type AppHandle } from "./index.js";
import { nextSteps, setupModeNextSteps } from "./next-steps.js";
import { parseSettings, SettingsError, type Settings } from "./settings.js";

export interface RunningApp {
  server: Server;
  /** Present once the app runs (absent in Probot's first-run setup mode). */
  app?: AppHandle;
  stop(): Promise<void>;
}

/** Where Probot's setup page writes the registered app's credentials, in the working directory. */
const ENV_FILE = ".env";

/** Probot's (and @octokit/webhooks') default webhook route. */
const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";

function hasCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH));
}

/** Credentials GitHub would refuse are found at start-up, not at the first webhook. */
export function checkAppCredentials(env: NodeJS.ProcessEnv): void {
  const variable = env.PRIVATE_KEY ? "PRIVATE_KEY" : "PRIVATE_KEY_PATH";
  try {
    createPrivateKey(getPrivateKey({ env }) ?? "");
  } catch {
    throw new SettingsError(`Invalid ${variable}: expected the GitHub App's private key in PEM format (the .pem file GitHub generated)`);
  }
  if (!env.WEBHOOK_SECRET) {
    throw new SettingsError("Missing WEBHOOK_SECRET: set it to the GitHub App's webhook secret (without it anyone could send the app webhooks)");
  }
  if (!/^\d+$/.test(env.APP_ID ?? "")) throw new SettingsError(`Invalid APP_ID=${JSON.stringify(env.APP_ID)}: expected the GitHub App's numeric id`);
}

/** The Octokit class of every GitHub client the app makes: its calls counted, its writes spaced by the app's budget. */
export function appOctokit(metrics: AppMetrics, settings: Pick<Settings, "githubWritesPerMinute">): typeof ProbotOctokit {
  return octokitWithWriteSpacing(octokitWithMetrics(metrics), settings.githubWritesPerMinute);
}

/**
 * Starts the server. Without APP_ID and a private key, Probot serves its setup page,
 * which registers the GitHub App from app.yml (the manifest flow).
 */
export async function startApp(env: NodeJS.ProcessEnv = process.env): Promise<RunningApp> {
  const logMasking = new LogMasking();
  const log = await createLogger(env, logMasking);
  if (!hasCredentials(env)) {
    const server = await run(() => undefined, { env, log });
    // Probot's setup may have opened a webhook channel and written WEBHOOK_PROXY_URL (to .env and process.env).
    for (const line of setupModeNextSteps(`http://localhost:${server.port}`, process.env.WEBHOOK_PROXY_URL || env.WEBHOOK_PROXY_URL)) log.info(line);
    return { server, stop: () => server.stop() };
  }
  const settings = parseSettings(env);
  checkAppCredentials(env);
  keepRunningOnUnhandledRejections(log);
  let app: AppHandle | undefined;
  const metrics = new AppMetrics();
  // Probot's server as `run` makes it (same variables), kept in hand so the webhook route gets its byte cap.
  const webhookPath = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const server = new Server({
    host: env.HOST,
    port: Number(env.PORT) || 3000,
    webhookPath,
    webhookProxy: settings.webhookProxyUrl,
    log,
    Probot: Probot.defaults({
      appId: env.APP_ID,
      privateKey: getPrivateKey({ env }) ?? undefined,
      secret: env.WEBHOOK_SECRET,
      baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` : "https://api.github.com",
      redisConfig: env.REDIS_URL,
      log,
      Octokit: appOctokit(metrics, settings),
    }),
  });
  await server.load(codebuildChecks(settings, metrics, (handle) => (app = handle), { logMasking }));
  const listening = await server.start().catch(async (error: unknown) => {
    await Promise.all([server.stop(), app?.stop()]);
    throw relayProblem(settings.webhookProxyUrl, error) ?? error;
  });
  limitWebhookBodies(listening, webhookPath);
  app?.start();
  for (const line of nextSteps(settings)) log.info(line);
  return {
    server,
    app,
    async stop() {
      await server.stop();
      await app?.stop();
    },
  };
}

/**
 * Probot connects to WEBHOOK_PROXY_URL once the server listens, and fails the start with the event
 * source's error event (not an Error) when the channel cannot be reached: said in one line instead.
 */
function relayProblem(webhookProxyUrl: string | undefined, error: unknown): SettingsError | undefined {
  if (webhookProxyUrl === undefined || error instanceof Error) return undefined;
  const why = (error as { message?: unknown }).message;
  return new SettingsError(
    `WEBHOOK_PROXY_URL=${webhookProxyUrl} cannot be reached${typeof why === "string" && why ? ` (${why})` : ""}: check the channel's URL and this machine's network, or unset it`,
  );
}

let rejectionsHandled = false;

/**
 * A promise rejected with no one waiting is a bug to log, not a reason to stop building every other
 * repository: Node's default would end the process (SPEC 8: the process never dies of a bad event).
 */
function keepRunningOnUnhandledRejections(log: Logger): void {
  if (rejectionsHandled) return;
  rejectionsHandled = true;
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled promise rejection; the app goes on"));
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntryPoint) {
  // Probot's setup page writes the registered app's credentials to .env: `npm start` reads them (variables already set win).
  if (existsSync(ENV_FILE)) process.loadEnvFile(ENV_FILE);
  startApp().then(
    (running) => {
      // Drain: no new webhooks, work in progress finishes, leases are given back for other replicas.
      const drain = () =>
        void running.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(error);
            process.exit(1);
          },
        );
      process.once("SIGTERM", drain);
      process.once("SIGINT", drain);
    },
    (error: unknown) => {
      console.error(error instanceof SettingsError ? error.message : error);
      process.exit(1);
    },
  );
}
