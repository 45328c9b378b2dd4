import { CloudWatchLogsClient, GetLogEventsCommand, type GetLogEventsCommandInput } from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchLogSource, LogsThrottledError } from "../../src/adapters/aws/cloudwatch-logs.js";
import { FakeCloudWatchLogs, THROTTLED } from "./fake-cloudwatch-logs.js";

const GROUP = "/aws/codebuild/builds";
const STREAM = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const LOCATION = { groupName: GROUP, streamName: STREAM };
const TOKEN = /^[fb]\/\d{56}\/s$/;

let fake: FakeCloudWatchLogs;
let endpoint: string;
let client: CloudWatchLogsClient;

const clientOf = (options: { maxAttempts?: number } = {}) =>
  new CloudWatchLogsClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, ...options });

beforeEach(async () => {
  fake = new FakeCloudWatchLogs();
  endpoint = await fake.start();
  client = clientOf();
});
afterEach(async () => {
  client.destroy();
  await fake.stop();
});

const get = (input: Partial<GetLogEventsCommandInput>) => client.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, ...input }));
const messages = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `line ${from + i}\n`);

async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error = (await call.then(
    () => new Error("the call should have been refused"),
    (e: unknown) => e,
  )) as Error;
  return { name: error.name, message: error.message };
}

describe("GetLogEvents as AWS answers it", () => {
  test("tokens in AWS's format; a forward token at the end comes back unchanged, then moves on when the stream grows", async () => {
    fake.append(GROUP, STREAM, messages(3), 1000);
    const first = await get({ startFromHead: true });
    expect(first.events?.map((e) => [e.timestamp, e.message])).toEqual([
      [1000, "line 0\n"],
      [1000, "line 1\n"],
      [1000, "line 2\n"],
    ]);
    expect(first.nextForwardToken).toMatch(TOKEN);
    expect(first.nextBackwardToken).toMatch(TOKEN);
    expect(first.nextForwardToken!.startsWith("f/")).toBe(true);
    expect(first.nextBackwardToken!.startsWith("b/")).toBe(true);

    const atEnd = await get({ startFromHead: true, nextToken: first.nextForwardToken });
    expect(atEnd.events).toEqual([]);
    expect(atEnd.nextForwardToken).toBe(first.nextForwardToken);

    fake.append(GROUP, STREAM, messages(2, 3));
    const grown = await get({ startFromHead: true, nextToken: first.nextForwardToken });
    expect(grown.events?.map((e) => e.message)).toEqual(messages(2, 3));
    expect(grown.nextForwardToken).not.toBe(first.nextForwardToken);
  });

  test("an empty stream's first token comes back unchanged on the next read", async () => {
    fake.append(GROUP, STREAM, []);
    const first = await get({ startFromHead: true });
    expect(first.events).toEqual([]);
    const second = await get({ startFromHead: true, nextToken: first.nextForwardToken });
    expect(second.nextForwardToken).toBe(first.nextForwardToken);
  });

  test("pages hold at most `limit` events, and at most 1 MB", async () => {
    fake.append(GROUP, STREAM, messages(25));
    expect((await get({ startFromHead: true, limit: 10 })).events).toHaveLength(10);
    fake.append(
      "big",
      "stream",
      Array.from({ length: 40 }, () => "x".repeat(100_000)),
    );
    const big = await client.send(new GetLogEventsCommand({ logGroupName: "big", logStreamName: "stream", startFromHead: true }));
    expect(big.events).toHaveLength(10);
  });

  test("without startFromHead a read starts at the tail and a backward token pages towards the head", async () => {
    fake.append(GROUP, STREAM, messages(5));
    const last = await get({ limit: 2 });
    expect(last.events?.map((e) => e.message)).toEqual(messages(2, 3));
    const before = await get({ limit: 2, nextToken: last.nextBackwardToken });
    expect(before.events?.map((e) => e.message)).toEqual(messages(2, 1));
    const head = await get({ limit: 2, nextToken: before.nextBackwardToken });
    expect(head.events?.map((e) => e.message)).toEqual(messages(1));
    expect((await get({ limit: 2, nextToken: head.nextBackwardToken })).nextBackwardToken).toBe(head.nextBackwardToken);
  });

  test("empty pages that are not the end, as AWS may send them", async () => {
    fake.append(GROUP, STREAM, messages(2));
    const start = await get({ startFromHead: true, limit: 1 });
    fake.emptyPagesNext = 1;
    const empty = await get({ startFromHead: true, nextToken: start.nextForwardToken });
    expect(empty.events).toEqual([]);
    expect(empty.nextForwardToken).toMatch(TOKEN);
    expect(empty.nextForwardToken).not.toBe(start.nextForwardToken);
    const rest = await get({ startFromHead: true, nextToken: empty.nextForwardToken });
    expect(rest.events?.map((e) => e.message)).toEqual(messages(1, 1));
  });

  test.each([
    ["a missing group", { logGroupName: "nope" }, "ResourceNotFoundException", "The specified log group does not exist."],
    ["a missing stream", { logStreamName: "nope" }, "ResourceNotFoundException", "The specified log stream does not exist."],
    ["a token that is not one", { startFromHead: true, nextToken: "f/1" }, "InvalidParameterException", "The specified nextToken is invalid."],
    [
      "a forward token without startFromHead",
      { nextToken: `f/${"0".repeat(56)}/s` },
      "InvalidParameterException",
      "startFromHead must be true with a forward token",
    ],
    ["a limit over 10,000", { startFromHead: true, limit: 10_001 }, "InvalidParameterException", "limit must be between 1 and 10000"],
  ])("refuses %s", async (_case, input, name, message) => {
    fake.append(GROUP, STREAM, messages(1));
    await expect(refusal(get(input))).resolves.toEqual({ name, message });
  });

  test("counts calls, and the bytes written and returned", async () => {
    fake.append(GROUP, STREAM, ["héllo\n", "wörld ✓\n"]);
    await get({ startFromHead: true });
    await get({ startFromHead: true });
    expect(fake.calls("GetLogEvents")).toHaveLength(2);
    expect(fake.bytesWritten).toBe(Buffer.byteLength("héllo\nwörld ✓\n"));
    expect(fake.bytesReturned).toBe(2 * fake.bytesWritten);
  });
});

describe("CloudWatchLogSource through the fake", () => {
  test("one throttled answer is retried by the SDK and the read goes on", async () => {
    fake.append(GROUP, STREAM, messages(3));
    fake.failNext.set("GetLogEvents", [THROTTLED]);
    const page = await new CloudWatchLogSource(client).read(LOCATION, undefined);
    expect(page.events.map((e) => e.message)).toEqual(messages(3));
    expect(fake.calls("GetLogEvents")).toHaveLength(2);
  });

  test("throttling that outlasts the SDK's retries is a LogsThrottledError, and the cursor still reads on", async () => {
    const once = clientOf({ maxAttempts: 1 });
    const source = new CloudWatchLogSource(once);
    fake.append(GROUP, STREAM, messages(3));
    const { cursor } = await source.read(LOCATION, undefined);
    fake.append(GROUP, STREAM, messages(2, 3));
    fake.failNext.set("GetLogEvents", [THROTTLED]);
    await expect(source.read(LOCATION, cursor)).rejects.toBeInstanceOf(LogsThrottledError);
    expect((await source.read(LOCATION, cursor)).events.map((e) => e.message)).toEqual(messages(2, 3));
    once.destroy();
  });

  test("a missing stream, then a stream read to its end", async () => {
    const source = new CloudWatchLogSource(client);
    await expect(source.read(LOCATION, undefined)).resolves.toEqual({ events: [], cursor: undefined, atEnd: true, missing: true });
    fake.append(GROUP, STREAM, messages(2));
    const first = await source.read(LOCATION, undefined);
    expect(first).toMatchObject({ atEnd: false, events: [{ message: "line 0\n" }, { message: "line 1\n" }] });
    await expect(source.read(LOCATION, first.cursor)).resolves.toEqual({ events: [], cursor: first.cursor, atEnd: true });
  });
});
