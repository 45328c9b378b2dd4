import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createProbot, type Probot } from "probot";
import { z } from "zod";
import { SqsQueue } from "./adapters/aws/sqs.js";
import { assemble, type AssembledApp } from "./index.js";
import {
  buildIdOf,
  eventBridgeEventSchema,
  httpEventSchema,
  queueMessageSchema,
  sqsEventSchema,
  type HttpResult,
  type QueueMessage,
  type SqsBatchResult,
} from "./lambda/events.js";
import { receiveWebhook, serveRoute } from "./lambda/http.js";
import { createLogger } from "./log.js";
import { LogMasking } from "./log-masking.js";
import { appOctokit, checkAppCredentials } from "./main.js";
import { instrumentAwsClient } from "./metrics/aws.js";
import { AppMetrics } from "./metrics/registry.js";
import { parseSettings, SettingsError, type Settings } from "./settings.js";

/*
 * AWS Lambda (SPEC 9): the same app on three functions. `webhook` serves webhooks and the HTTP
 * routes behind a function URL (or an HTTP API): it records each intent and sends it to the intake
 * queue. `processor` takes intents from that queue, and delayed refresh messages that follow each
 * running build (SQS delays go down to seconds, where scheduled rules start at a minute).
 * `buildEvents` takes EventBridge's CodeBuild events — at least once and out of order, so they only
 * say which build to look at: its state is read again with BatchGetBuilds and only moves forward —
 * and a schedule that sweeps pending intents and missed deliveries, and passes over every running
 * build in case a refresh was lost. Durable intake and the heartbeats work as on the server.
 */

const lambdaEnvSchema = z.object({
  INTAKE_QUEUE_URL: z.url({ error: "expected the intake queue's URL" }),
  REFRESH_QUEUE_URL: z.url({ error: "expected the refresh queue's URL" }),
  GITHUB_APP_SECRET_ARN: z.string().min(1).optional(),
});

/** The JSON secret holding the GitHub App's credentials (deploy/README.md). */
const appSecretSchema = z.object({
  APP_ID: z.union([z.string(), z.number()]).transform(String),
  PRIVATE_KEY: z.string().min(1),
  WEBHOOK_SECRET: z.string().min(1),
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_CLIENT_SECRET: z.string().optional(),
});

interface LambdaApp {
  probot: Probot;
  settings: Settings;
  app: AssembledApp;
  refreshQueue: SqsQueue;
  /** How long a running build waits for its next refresh. */
  refreshDelaySeconds: number;
}

/** The GitHub App's credentials, read from Secrets Manager at cold start, never kept in the function's configuration. */
async function readAppSecret(arn: string): Promise<Record<string, string>> {
  const client = new SecretsManagerClient({ retryMode: "adaptive" });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  const parsed = appSecretSchema.safeParse(JSON.parse(SecretString ?? "{}"));
  if (!parsed.success) {
    throw new SettingsError(`Invalid GITHUB_APP_SECRET_ARN secret: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

export async function initLambdaApp(baseEnv: NodeJS.ProcessEnv = process.env): Promise<LambdaApp> {
  const lambdaEnv = lambdaEnvSchema.safeParse(baseEnv);
  if (!lambdaEnv.success) {
    const issue = lambdaEnv.error.issues[0]!;
    throw new SettingsError(`Invalid ${String(issue.path[0])}: ${issue.message}`);
  }
  const { INTAKE_QUEUE_URL, REFRESH_QUEUE_URL, GITHUB_APP_SECRET_ARN } = lambdaEnv.data;
  const env = { ...baseEnv, ...(GITHUB_APP_SECRET_ARN && (await readAppSecret(GITHUB_APP_SECRET_ARN))) };
  const settings = parseSettings(env);
  checkAppCredentials(env);
  const logMasking = new LogMasking();
  const log = await createLogger(env, logMasking);
  const metrics = new AppMetrics();
  const probot = createProbot({ env, overrides: { log, Octokit: appOctokit(metrics, settings) } });
  const sqs = new SQSClient({ retryMode: "adaptive" });
  instrumentAwsClient(sqs, metrics);
  const intakeQueue = new SqsQueue(sqs, INTAKE_QUEUE_URL);
  const refreshQueue = new SqsQueue(sqs, REFRESH_QUEUE_URL);
  const refreshDelaySeconds = Math.max(settings.pollIntervalMs, settings.checkUpdateIntervalMs) / 1000;
  const refresh = (deploymentId: string) => refreshQueue.send({ kind: "refresh", deploymentId } satisfies QueueMessage, refreshDelaySeconds);
  const app = await assemble(probot, settings, metrics, {
    dispatch: (intent) => intakeQueue.send({ kind: "intent", intent } satisfies QueueMessage),
    onBuildStarted: refresh,
    logMasking,
  });
  return { probot, settings, app, refreshQueue, refreshDelaySeconds };
}

let initialized: Promise<LambdaApp> | undefined;

/** One app per Lambda instance, made at its first invocation; a failed start is tried again at the next. */
function lambdaApp(): Promise<LambdaApp> {
  initialized ??= initLambdaApp().catch((error: unknown) => {
    initialized = undefined;
    throw error;
  });
  return initialized;
}

/** Webhooks and the HTTP routes, behind a Lambda function URL or an HTTP API (payload format 2.0). */
export async function webhook(event: unknown): Promise<HttpResult> {
  const parsed = httpEventSchema.safeParse(event);
  if (!parsed.success)
    return {
      statusCode: 400,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: { code: "bad_request", message: "Not an HTTP request of payload format 2.0", issues: parsed.error.issues } }),
      isBase64Encoded: false,
    };
  const { probot, settings, app } = await lambdaApp();
  const request = parsed.data;
  if (request.requestContext.http.method.toUpperCase() === "POST" && request.rawPath === settings.webhookPath) return receiveWebhook(probot, request);
  return serveRoute(app.http, request);
}

/** The intake queue's intents and the refresh queue's messages; failed ones are delivered again (ReportBatchItemFailures). */
export async function processor(event: unknown): Promise<SqsBatchResult> {
  const { app, probot, refreshQueue, refreshDelaySeconds } = await lambdaApp();
  const batch = sqsEventSchema.parse(event);
  const failures: { itemIdentifier: string }[] = [];
  for (const record of batch.Records) {
    try {
      const message = queueMessageSchema.safeParse(JSON.parse(record.body));
      if (!message.success) {
        probot.log.warn({ messageId: record.messageId, issues: message.error.issues }, "queue message refused");
        continue;
      }
      if (message.data.kind === "intent") {
        await app.intake.take(message.data.intent);
        // What processing left to the write budget (a deployment's first status, its pull request's comment) is sent before the invocation ends.
        await app.deps.writes.drain();
      } else {
        const { deploymentId } = message.data;
        const running = await app.watcher.pass({ deploymentIds: [deploymentId] });
        if (running.includes(deploymentId)) await refreshQueue.send(message.data, refreshDelaySeconds);
      }
    } catch (err) {
      probot.log.error({ err, messageId: record.messageId }, "queue message failed; SQS delivers it again");
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}

/** EventBridge: CodeBuild's state and phase changes, and the schedule. */
export async function buildEvents(event: unknown): Promise<void> {
  const { app, probot } = await lambdaApp();
  const parsed = eventBridgeEventSchema.safeParse(event);
  if (!parsed.success) {
    probot.log.warn({ issues: parsed.error.issues }, "EventBridge event refused");
    return;
  }
  const received = parsed.data;
  if (received.source === "aws.codebuild") {
    await app.watcher.pass({ buildIds: [buildIdOf(received.detail["build-id"])] });
    return;
  }
  await app.intake.sweep();
  await app.intake.drained();
  await app.missed.sweep();
  await app.watcher.pass();
}
