import {
  AccessDeniedException,
  CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException,
  ThrottlingException,
} from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { CloudWatchLogSource, GET_LOG_EVENTS_MAX_EVENTS, LogsThrottledError } from "../../src/adapters/aws/cloudwatch-logs.js";
import type { LogEvent, LogLocation } from "../../src/ports/build-logs.js";
import { FakeCloudWatchLogs } from "../support/fake-cloudwatch-logs.js";

const LOCATION: LogLocation = { groupName: "/aws/codebuild/builds", streamName: "3f2a9c1e-0d4b-4e8f-9a61-2b7c5d8e1f00" };
const TOKEN_1 = "f/37199984602912945150919581120365194235947007390943215618/s";
const TOKEN_2 = "f/37199984602912945150919581120365194235947007390943215699/s";
const BACK = "b/37199984572071014541351729315621295864874323428172300288/s";
const meta = { $metadata: {} };

describe("CloudWatchLogSource against a mocked client", () => {
  const mocked = new CloudWatchLogsClient({ region: "us-east-1" });
  const logs = mockClient(mocked);
  const source = new CloudWatchLogSource(mocked);
  afterEach(() => logs.reset());

  const sentInputs = () => logs.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);

  test("the first read starts from the head, without a token, asking for as many events as AWS allows", async () => {
    logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: "a\n", ingestionTime: 2 }], nextForwardToken: TOKEN_1, nextBackwardToken: BACK });
    await expect(source.read(LOCATION, undefined)).resolves.toEqual({ events: [{ timestamp: 1, message: "a\n" }], cursor: TOKEN_1, atEnd: false });
    expect(sentInputs()).toEqual([
      { logGroupName: LOCATION.groupName, logStreamName: LOCATION.streamName, startFromHead: true, nextToken: undefined, limit: GET_LOG_EVENTS_MAX_EVENTS },
    ]);
    expect(GET_LOG_EVENTS_MAX_EVENTS).toBe(10_000);
  });

  test("a later read sends the cursor it was given and returns the next token as the new cursor", async () => {
    logs.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 5, message: "b" }], nextForwardToken: TOKEN_2, nextBackwardToken: BACK });
    await expect(source.read(LOCATION, TOKEN_1)).resolves.toEqual({ events: [{ timestamp: 5, message: "b" }], cursor: TOKEN_2, atEnd: false });
    expect(sentInputs()[0]).toMatchObject({ nextToken: TOKEN_1, startFromHead: true });
  });

  test.each([
    ["the token sent comes back: the end, for now", TOKEN_1, TOKEN_1, true],
    ["a new token with no events: an empty page, not the end (AWS may page through gaps)", TOKEN_1, TOKEN_2, false],
    ["no token sent and none of the stream read: never the end yet, even when empty", undefined, TOKEN_1, false],
  ])("%s", async (_case, sent, returned, atEnd) => {
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: returned, nextBackwardToken: BACK });
    await expect(source.read(LOCATION, sent)).resolves.toEqual({ events: [], cursor: returned, atEnd });
  });

  test.each([undefined, TOKEN_1])("a stream or group not created yet is missing and at its end, the cursor kept (%s)", async (cursor) => {
    logs.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ ...meta, message: "The specified log stream does not exist." }));
    await expect(source.read(LOCATION, cursor)).resolves.toEqual({ events: [], cursor, atEnd: true, missing: true });
  });

  test("throttling reaches the caller as a LogsThrottledError naming the stream, with CloudWatch's error as its cause", async () => {
    const throttled = new ThrottlingException({ ...meta, message: "Rate exceeded" });
    logs.on(GetLogEventsCommand).rejects(throttled);
    const error = await source.read(LOCATION, TOKEN_1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogsThrottledError);
    expect(error).toMatchObject({ name: "LogsThrottledError", cause: throttled });
    expect((error as Error).message).toContain(LOCATION.streamName);
    expect((error as Error).message).toContain(LOCATION.groupName);
  });

  test("other errors pass through unchanged", async () => {
    const denied = new AccessDeniedException({ ...meta, message: "not authorized to perform: logs:GetLogEvents" });
    logs.on(GetLogEventsCommand).rejects(denied);
    await expect(source.read(LOCATION, TOKEN_1)).rejects.toBe(denied);
  });
});

describe("CloudWatchLogSource against the fake, through the real SDK", () => {
  let fake: FakeCloudWatchLogs;
  let client: CloudWatchLogsClient;
  let source: CloudWatchLogSource;

  beforeEach(async () => {
    fake = new FakeCloudWatchLogs();
    const endpoint = await fake.start();
    client = new CloudWatchLogsClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    source = new CloudWatchLogSource(client);
  });
  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  /** Reads until the end, as the watcher does each tick; returns the events and the cursor to keep. */
  async function readToEnd(cursor: string | undefined): Promise<{ events: LogEvent[]; cursor: string | undefined }> {
    const events: LogEvent[] = [];
    for (;;) {
      const page = await source.read(LOCATION, cursor);
      events.push(...page.events);
      cursor = page.cursor;
      if (page.atEnd) return { events, cursor };
    }
  }

  test("reads over a growing stream return each event exactly once, in order, and read no byte twice", async () => {
    fake.maxEventsPerPage = 7;
    const written: string[] = [];
    let cursor: string | undefined;
    const read: string[] = [];
    expect(await source.read(LOCATION, cursor)).toMatchObject({ missing: true, atEnd: true });
    for (let tick = 0; tick < 12; tick++) {
      const messages = Array.from({ length: tick * 3 }, (_, i) => `[tick ${tick}] line ${i} — ✓ ${"x".repeat(i)}\n`);
      fake.append(LOCATION.groupName, LOCATION.streamName, messages);
      written.push(...messages);
      if (tick === 5) fake.emptyPagesNext = 2;
      const out = await readToEnd(cursor);
      read.push(...out.events.map((e) => e.message));
      cursor = out.cursor;
      expect(read).toEqual(written);
    }
    expect(fake.bytesReturned).toBe(fake.bytesWritten);
    expect(fake.calls("GetLogEvents").every((input) => input.startFromHead === true && input.limit === GET_LOG_EVENTS_MAX_EVENTS)).toBe(true);
  });
});
