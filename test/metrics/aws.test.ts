import { BatchGetBuildsCommand, CodeBuildClient, StopBuildCommand } from "@aws-sdk/client-codebuild";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { awsCallName, awsErrorName, instrumentAwsClient } from "../../src/metrics/aws.js";
import { AppMetrics, METRICS_PREFIX } from "../../src/metrics/registry.js";
import { startDynalite } from "../support/dynalite.js";
import { FakeCodeBuild } from "../support/fake-codebuild.js";
import { valueOf } from "./exposition.js";

const requests = `${METRICS_PREFIX}aws_requests_total`;
const errors = `${METRICS_PREFIX}aws_request_errors_total`;

describe("awsCallName", () => {
  test.each([
    [{ clientName: "CodeBuildClient", commandName: "StartBuildCommand" }, "CodeBuild", "StartBuild"],
    [{ clientName: "CloudWatchLogsClient", commandName: "GetLogEventsCommand" }, "CloudWatchLogs", "GetLogEvents"],
    [{ clientName: "SecretsManagerClient", commandName: "PutSecretValueCommand" }, "SecretsManager", "PutSecretValue"],
    [{}, "unknown", "unknown"],
  ])("%j → %s %s", (context, service, operation) => {
    expect(awsCallName(context)).toEqual({ service, operation });
  });
});

describe("awsErrorName", () => {
  test.each<[string, string, unknown]>([
    ["a service exception", "ThrottlingException", Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })],
    ["a network failure", "ECONNREFUSED", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })],
    ["a plain error", "Error", new Error("boom")],
    ["a name that is a sentence", "Error", Object.assign(new Error("x"), { name: "something went wrong: project alice/app" })],
    ["not an error at all", "Error", "boom"],
    ["nothing", "Error", undefined],
  ])("%s → %s", (_what, name, error) => {
    expect(awsErrorName(error)).toBe(name);
  });
});

describe("instrumentAwsClient", () => {
  const codebuild = new FakeCodeBuild();
  let endpoint: string;
  let metrics: AppMetrics;

  beforeAll(async () => {
    endpoint = await codebuild.start();
  });
  afterAll(() => codebuild.stop());
  beforeEach(() => {
    metrics = new AppMetrics({ processMetrics: false });
    codebuild.requests.length = 0;
  });

  function client(maxAttempts = 1): CodeBuildClient {
    return new CodeBuildClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts });
  }

  test("counts a call by service and operation, with its duration", async () => {
    const cb = client();
    instrumentAwsClient(cb, metrics);
    await cb.send(new BatchGetBuildsCommand({ ids: ["p:1"] }));
    await cb.send(new BatchGetBuildsCommand({ ids: ["p:2"] }));
    const text = await metrics.text();
    const call = { service: "CodeBuild", operation: "BatchGetBuilds" };
    expect(valueOf(text, requests, call)).toBe(2);
    expect(valueOf(text, `${METRICS_PREFIX}aws_request_duration_seconds_count`, call)).toBe(2);
    expect(valueOf(text, errors, { ...call, error: "ResourceNotFoundException" })).toBeUndefined();
  });

  test("counts an error by its exception name and still throws it", async () => {
    const cb = client();
    instrumentAwsClient(cb, metrics);
    await expect(cb.send(new StopBuildCommand({ id: "p:missing" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    const text = await metrics.text();
    expect(valueOf(text, requests, { service: "CodeBuild", operation: "StopBuild" })).toBe(1);
    expect(valueOf(text, errors, { service: "CodeBuild", operation: "StopBuild", error: "ResourceNotFoundException" })).toBe(1);
  });

  test("a call the SDK retried is counted once, with its final outcome", async () => {
    const cb = client(2);
    instrumentAwsClient(cb, metrics);
    codebuild.failNext.set("BatchGetBuilds", [{ status: 400, type: "ThrottlingException", message: "Rate exceeded" }]);
    await cb.send(new BatchGetBuildsCommand({ ids: ["p:1"] }));
    expect(codebuild.calls("BatchGetBuilds")).toHaveLength(2);
    const text = await metrics.text();
    expect(valueOf(text, requests, { service: "CodeBuild", operation: "BatchGetBuilds" })).toBe(1);
    expect(valueOf(text, errors, { service: "CodeBuild", operation: "BatchGetBuilds", error: "ThrottlingException" })).toBeUndefined();
  });

  test("instrumenting a client twice counts its calls once", async () => {
    const cb = client();
    instrumentAwsClient(cb, metrics);
    instrumentAwsClient(cb, metrics);
    await cb.send(new BatchGetBuildsCommand({ ids: ["p:1"] }));
    expect(valueOf(await metrics.text(), requests, { service: "CodeBuild", operation: "BatchGetBuilds" })).toBe(1);
  });
});

test("a DynamoDB document client counts through the client it wraps", async () => {
  const dynamo = await startDynalite();
  try {
    const metrics = new AppMetrics({ processMetrics: false });
    instrumentAwsClient(dynamo.client, metrics);
    const documents = DynamoDBDocumentClient.from(dynamo.client);
    await expect(documents.send(new GetCommand({ TableName: "missing", Key: { pk: "x" } }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    const text = await metrics.text();
    expect(valueOf(text, errors, { service: "DynamoDB", operation: "GetItem", error: "ResourceNotFoundException" })).toBe(1);
  } finally {
    await dynamo.stop();
  }
});
