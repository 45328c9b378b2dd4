import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import nock from "nock";
import { buildEvents, processor, webhook } from "../../src/lambda.js";
import { freePort, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { startDynalite, type Dynalite } from "../support/dynalite.js";
import { FakeCloudWatchLogs } from "../support/fake-cloudwatch-logs.js";
import { FakeCodeBuild } from "../support/fake-codebuild.js";
import { FakeGitHub, testPrivateKey } from "../support/fake-github.js";
import { FakeSecretsManager } from "../support/fake-secrets-manager.js";
import { FakeSqs, sqsEvent } from "../support/fake-sqs.js";
import { builtPageScript } from "../support/page-scripts.js";
import { pushPayload, sign } from "../support/webhooks.js";

/**
 * The Lambda handlers invoked in this process with the events AWS sends, shaped as AWS documents
 * them (function URL requests, SQS batches, EventBridge's CodeBuild and scheduled events), over the
 * same fakes the server's tests use: GitHub over nock, dynalite, and local AWS fakes.
 */
/** Queue URLs are the queues' endpoints too (the SDK sends to the URL's host): here, the fake's. */
let INTAKE: string;
let REFRESH: string;
const GROUP = "/aws/codebuild/shared-builds";
const SHA = "1a2b3c4d1a2b3c4d1a2b3c4d1a2b3c4d1a2b3c4d";

/** A Lambda function URL request (payload format 2.0), as in "Invoking Lambda function URLs". */
function functionUrlEvent(method: string, rawPath: string, headers: Record<string, string>, body?: string) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString: "",
    headers: { host: "abcdefg.lambda-url.us-east-1.on.aws", ...headers },
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefg",
      domainName: "abcdefg.lambda-url.us-east-1.on.aws",
      domainPrefix: "abcdefg",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "140.82.115.1", userAgent: "GitHub-Hookshot/abc" },
      requestId: "c7b0e4a2-0000-4000-8000-000000000000",
      routeKey: "$default",
      stage: "$default",
      time: "25/Nov/2026:17:00:00 +0000",
      timeEpoch: Date.now(),
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  };
}

function webhookEvent(event: string, payload: unknown, deliveryId: string, secret = WEBHOOK_SECRET) {
  const body = JSON.stringify(payload);
  return functionUrlEvent(
    "POST",
    "/api/github/webhooks",
    { "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId, "x-hub-signature-256": sign(secret, body) },
    body,
  );
}

/** EventBridge's CodeBuild events, as in CodeBuild's "Build notifications input format reference". */
function codebuildEvent(detailType: string, buildId: string, detail: Record<string, unknown>) {
  const arn = `arn:aws:codebuild:us-east-1:123456789012:build/${buildId}`;
  return {
    version: "0",
    id: "bfdc1220-60ff-4433-a7bc-3e10dd2a9a8e",
    "detail-type": detailType,
    source: "aws.codebuild",
    account: "123456789012",
    time: new Date().toISOString(),
    region: "us-east-1",
    resources: [arn],
    detail: { "project-name": "shared-builds", "build-id": arn, version: "1", ...detail },
  };
}

function stateChange(buildId: string, status: string) {
  return codebuildEvent("CodeBuild Build State Change", buildId, {
    "build-status": status,
    "additional-information": { "build-complete": status !== "IN_PROGRESS", initiator: "codebuild-checks", "build-start-time": "Nov 25, 2026 5:00:00 PM" },
    "current-phase": status === "IN_PROGRESS" ? "BUILD" : "COMPLETED",
    "current-phase-context": "[]",
  });
}

function phaseChange(buildId: string, completedPhase: string) {
  return codebuildEvent("CodeBuild Build Phase Change", buildId, {
    "completed-phase": completedPhase,
    "completed-phase-context": "[]",
    "additional-information": { "build-complete": false, initiator: "codebuild-checks" },
    "completed-phase-status": "SUCCEEDED",
    "completed-phase-duration-seconds": 1,
    "completed-phase-start": "Nov 25, 2026 5:00:00 PM",
    "completed-phase-end": "Nov 25, 2026 5:00:01 PM",
  });
}

const scheduledEvent = {
  version: "0",
  id: "89d1a02d-5ec7-412e-82f5-13505f849b41",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: new Date().toISOString(),
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:123456789012:rule/codebuild-checks-SweepRule"],
  detail: {},
};

describe("AWS Lambda handlers", () => {
  let dynamo: Dynalite;
  let githubForRun: FakeGitHub;
  const secretsManager = new FakeSecretsManager();
  const codebuild = new FakeCodeBuild();
  const logs = new FakeCloudWatchLogs();
  const sqs = new FakeSqs();
  const saved = { ...process.env };

  beforeAll(async () => {
    githubForRun = new FakeGitHub(await freePort());
    dynamo = await startDynalite();
    codebuild.logGroup = GROUP;
    logs.groups.set(GROUP, new Map());
    const endpoints = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: await secretsManager.start(),
      AWS_ENDPOINT_URL_CODEBUILD: await codebuild.start(),
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: await logs.start(),
      AWS_ENDPOINT_URL_SQS: await sqs.start(),
    };
    INTAKE = `${endpoints.AWS_ENDPOINT_URL_SQS}/123456789012/codebuild-checks-intake`;
    REFRESH = `${endpoints.AWS_ENDPOINT_URL_SQS}/123456789012/codebuild-checks-refresh`;
    Object.assign(process.env, {
      ...endpoints,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      GHE_HOST: githubForRun.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      CODEBUILD_PROJECT: "shared-builds",
      TABLE_AUTO_CREATE: "true",
      CHECK_UPDATE_INTERVAL_MS: "0",
      POLL_INTERVAL_MS: "10000",
      INTAKE_QUEUE_URL: INTAKE,
      REFRESH_QUEUE_URL: REFRESH,
      GITHUB_APP_SECRET_ARN: "codebuild-checks/github-app",
    });
    // The GitHub App's credentials live in Secrets Manager, not in the function's configuration.
    const client = new SecretsManagerClient({
      region: "us-east-1",
      endpoint: endpoints.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    });
    await client.send(
      new CreateSecretCommand({
        Name: "codebuild-checks/github-app",
        SecretString: JSON.stringify({ APP_ID: 1, PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET }),
      }),
    );
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1:") && host !== githubForRun.host);
    githubForRun.install();
  });

  afterAll(async () => {
    githubForRun.uninstall();
    nock.cleanAll();
    nock.enableNetConnect();
    await Promise.all([secretsManager.stop(), codebuild.stop(), logs.stop(), sqs.stop()]);
    await dynamo.stop();
    process.env = saved;
    expect(githubForRun.invalidRequests).toEqual([]);
  });

  test("a push: webhook records and queues it, the processor builds it, EventBridge events and delayed refreshes follow the build to its completed check run", async () => {
    const gh = githubForRun;
    // webhook: answered at once; the intent goes to the intake queue, nothing is processed yet.
    const answer = await webhook(webhookEvent("push", pushPayload(SHA), "delivery-1"));
    expect(answer.statusCode).toBe(200);
    const intents = sqs.take(INTAKE);
    expect(intents).toHaveLength(1);
    expect(JSON.parse(intents[0]!.body)).toMatchObject({ kind: "intent", intent: { kind: "push", deliveryId: "delivery-1", after: SHA } });
    expect(gh.runsFor(SHA)).toHaveLength(0);

    // The same delivery again: 2xx, and nothing queued.
    expect((await webhook(webhookEvent("push", pushPayload(SHA), "delivery-1"))).statusCode).toBe(200);
    expect(sqs.take(INTAKE)).toHaveLength(0);

    // processor: the check run and the build, and a delayed refresh of it.
    expect(await processor(sqsEvent(intents))).toEqual({ batchItemFailures: [] });
    const [run] = gh.runsFor(SHA);
    expect(run?.status).toBe("queued");
    const [build] = [...codebuild.builds.values()];
    expect(build).toBeDefined();
    const refreshes = sqs.take(REFRESH);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.delaySeconds).toBe(10);
    // A second delivery of the same message (SQS is at least once) changes nothing.
    expect(await processor(sqsEvent(intents))).toEqual({ batchItemFailures: [] });
    expect(gh.runsFor(SHA)).toHaveLength(1);
    expect(codebuild.builds.size).toBe(1);

    // A phase change from EventBridge: the state is read again, the check run moves on.
    const t0 = build!.startTime;
    codebuild.update(build!.id, { currentPhase: "BUILD", phases: [...build!.phases, { phaseType: "BUILD", startTime: t0 + 1 }] });
    logs.append(GROUP, build!.logs!.streamName!, ["[Container] Running command npm test", "12 tests passed"]);
    await buildEvents(phaseChange(build!.id, "PRE_BUILD"));
    expect(run!.status).toBe("in_progress");

    // The delayed refresh reads the log into the excerpt and queues the next one.
    expect(await processor(sqsEvent(refreshes, "arn:aws:sqs:us-east-1:123456789012:codebuild-checks-refresh"))).toEqual({ batchItemFailures: [] });
    expect(run!.output?.text).toContain("12 tests passed");
    expect(sqs.take(REFRESH)).toHaveLength(1);

    // The build ends; its state change completes the check run (the log's grace period has passed).
    codebuild.update(build!.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 - 10 });
    await buildEvents(stateChange(build!.id, "SUCCEEDED"));
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });

    // A late, out-of-order event says IN_PROGRESS: the state only moves forward, nothing is written.
    const writes = gh.requests.length;
    await buildEvents(stateChange(build!.id, "IN_PROGRESS"));
    expect(gh.requests.length).toBe(writes);
    expect(run!.status).toBe("completed");
  });

  test("an ::add-mask:: value read in one refresh pass is hidden in the next, which starts from the build's record alone", async () => {
    const sha = "6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f";
    expect((await webhook(webhookEvent("push", pushPayload(sha), "delivery-mask"))).statusCode).toBe(200);
    expect(await processor(sqsEvent(sqs.take(INTAKE)))).toEqual({ batchItemFailures: [] });
    const [run] = githubForRun.runsFor(sha);
    const build = [...codebuild.builds.values()].find((b) => b.sourceVersion?.includes(sha))!;
    codebuild.update(build.id, { currentPhase: "BUILD", phases: [...build.phases, { phaseType: "BUILD", startTime: build.startTime + 1 }] });
    const refreshQueue = "arn:aws:sqs:us-east-1:123456789012:codebuild-checks-refresh";

    logs.append(GROUP, build.logs!.streamName!, ["::add-mask::lambda-pass-value-77"]);
    expect(await processor(sqsEvent(sqs.take(REFRESH), refreshQueue))).toEqual({ batchItemFailures: [] });
    expect(run!.output?.text).toContain("::add-mask::***");

    logs.append(GROUP, build.logs!.streamName!, ["next pass: lambda-pass-value-77", `encoded: ${Buffer.from("lambda-pass-value-77").toString("base64")}`]);
    expect(await processor(sqsEvent(sqs.take(REFRESH), refreshQueue))).toEqual({ batchItemFailures: [] });
    expect(run!.output?.text).toContain("next pass: ***");
    expect(run!.output?.text).toContain("encoded: ***");
    expect(JSON.stringify(githubForRun.requests)).not.toContain("lambda-pass-value-77");
    const table = await new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }).send(
      new ScanCommand({ TableName: "codebuild-checks" }),
    );
    const stored = JSON.stringify(table.Items);
    expect(stored).toContain("sealedAddMasks");
    expect(stored).not.toContain("lambda-pass-value-77");
  });

  test("a bad signature is refused with 400 and nothing is recorded", async () => {
    const answer = await webhook(webhookEvent("push", pushPayload(SHA), "delivery-bad", "not-the-secret"));
    expect(answer.statusCode).toBe(400);
    expect(sqs.take(INTAKE)).toHaveLength(0);
  });

  test("the HTTP routes are served by the same function: GET /healthz", async () => {
    const answer = await webhook(functionUrlEvent("GET", "/healthz", {}));
    expect(answer).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(answer.body)).toEqual({ status: "ok" });
  });

  test.each([
    ["/builds/assets/log-page.js", "log-page.js"],
    ["/seal/assets/seal.js", "seal-page.js"],
  ] as const)("the pages' scripts are served by the same function: GET %s is the built %s", async (path, built) => {
    const answer = await webhook(functionUrlEvent("GET", path, {}));
    expect(answer).toMatchObject({ statusCode: 200, isBase64Encoded: false, headers: { "content-type": "text/javascript; charset=utf-8" } });
    expect(answer.body).toBe(builtPageScript(built));
  });

  test("an intent whose hand-over to the queue failed is processed by the scheduled sweep", async () => {
    const sha = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
    sqs.failNext.set("SendMessage", [
      { status: 500, type: "InternalError", message: "injected" },
      { status: 500, type: "InternalError", message: "injected" },
      { status: 500, type: "InternalError", message: "injected" },
    ]);
    expect((await webhook(webhookEvent("push", pushPayload(sha), "delivery-2"))).statusCode).toBe(200);
    expect(sqs.take(INTAKE)).toHaveLength(0);
    expect(githubForRun.runsFor(sha)).toHaveLength(0);

    await buildEvents(scheduledEvent);
    await waitFor(() => githubForRun.runsFor(sha).length === 1, "the swept intent's check run");
    expect([...codebuild.builds.values()].filter((b) => b.sourceVersion?.includes(sha))).toHaveLength(1);
  });

  test("a malformed SQS message is refused and not retried; a malformed event is answered 400", async () => {
    expect(await processor(sqsEvent([{ queueUrl: INTAKE, messageId: "m-1", body: JSON.stringify({ kind: "nonsense" }), delaySeconds: 0 }]))).toEqual({
      batchItemFailures: [],
    });
    expect((await webhook({ not: "an http event" })).statusCode).toBe(400);
  });
});
