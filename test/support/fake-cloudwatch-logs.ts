import { AwsJsonFake, ok, refuse, type AwsJsonAnswer, type AwsJsonHandler, type AwsJsonInput, type FakeFailure } from "./aws-json-fake.js";

export type { FakeFailure } from "./aws-json-fake.js";

export interface FakeLogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

/** GetLogEvents answers with at most 10,000 events or 1 MB (CloudWatch Logs API reference, GetLogEvents). */
const MAX_EVENTS = 10_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** What CloudWatch counts for an event besides its message (API reference, PutLogEvents). */
const EVENT_OVERHEAD_BYTES = 26;
/** Tokens look like AWS's: a direction, 56 digits and "/s"; here the digits are a position and a serial. */
const TOKEN_PATTERN = /^([fb])\/(\d{28})(\d{28})\/s$/;

/** CloudWatch Logs' words for the refusals the app meets. */
const MESSAGES = {
  noGroup: "The specified log group does not exist.",
  noStream: "The specified log stream does not exist.",
  badToken: "The specified nextToken is invalid.",
};

/** CloudWatch Logs' answer when the account's request rate is used up. */
export const THROTTLED: FakeFailure = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };

/**
 * A small CloudWatch Logs on 127.0.0.1 speaking the service's JSON 1.1 protocol, so the app reaches
 * it through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS exactly as it reaches AWS. Streams grow as a test
 * appends to them; GetLogEvents pages through them with tokens that behave like AWS's (a forward
 * token at the end of the stream comes back unchanged), and counts what it returns.
 */
export class FakeCloudWatchLogs extends AwsJsonFake {
  /** Streams by name, by group name. */
  readonly groups = new Map<string, Map<string, FakeLogEvent[]>>();
  /** The next this many GetLogEvents calls that have events to return return none, with a new token, as AWS may. */
  emptyPagesNext = 0;
  /** Fewer events per page than AWS's caps, to make tests page. */
  maxEventsPerPage = MAX_EVENTS;
  /** UTF-8 bytes of the messages appended and of those GetLogEvents returned. */
  bytesWritten = 0;
  bytesReturned = 0;
  private serial = 0;

  /** Adds events to a stream, creating the group and stream when new, as a build writing its log would. */
  append(group: string, stream: string, messages: string[], timestamp = Date.now()): void {
    const streams = this.groups.get(group) ?? new Map<string, FakeLogEvent[]>();
    this.groups.set(group, streams);
    const events = streams.get(stream) ?? [];
    streams.set(stream, events);
    for (const message of messages) {
      events.push({ timestamp, message, ingestionTime: Date.now() });
      this.bytesWritten += Buffer.byteLength(message, "utf8");
    }
  }

  protected readonly handlers: Record<string, AwsJsonHandler> = {
    GetLogEvents: (input) => this.getLogEvents(input),
  };

  private getLogEvents(input: AwsJsonInput): AwsJsonAnswer {
    const streams = this.groups.get(String(input.logGroupName));
    if (!streams) return refuse("ResourceNotFoundException", MESSAGES.noGroup);
    const events = streams.get(String(input.logStreamName));
    if (!events) return refuse("ResourceNotFoundException", MESSAGES.noStream);
    const limit = input.limit === undefined ? MAX_EVENTS : Number(input.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) return refuse("InvalidParameterException", `limit must be between 1 and ${MAX_EVENTS}`);

    const sent = input.nextToken === undefined ? undefined : String(input.nextToken);
    const start = sent === undefined ? startWithoutToken(input.startFromHead === true, events.length) : parseToken(sent, events.length);
    if (!start) return refuse("InvalidParameterException", MESSAGES.badToken);
    // AWS's API reference requires startFromHead with a forward token; make forgetting it loud.
    if (sent !== undefined && start.forward && input.startFromHead !== true)
      return refuse("InvalidParameterException", "startFromHead must be true with a forward token");

    const { from, to } = this.pageRange(events, start, Math.min(limit, this.maxEventsPerPage));
    if (from < to && this.emptyPagesNext > 0) {
      this.emptyPagesNext--;
      return ok({ events: [], nextForwardToken: token("f", start.position, ++this.serial), nextBackwardToken: token("b", start.position, this.serial) });
    }
    const page = events.slice(from, to);
    this.bytesReturned += page.reduce((sum, e) => sum + Buffer.byteLength(e.message, "utf8"), 0);
    // At the end in the direction read, AWS gives back the very token it was sent.
    const same = sent !== undefined && from === to;
    return ok({
      events: page,
      nextForwardToken: same && start.forward ? sent : token("f", to),
      nextBackwardToken: same && !start.forward ? sent : token("b", from),
    });
  }

  /** The events a page holds: up to `limit`, and no more than 1 MB, from the start in its direction. */
  private pageRange(events: FakeLogEvent[], start: { forward: boolean; position: number }, limit: number): { from: number; to: number } {
    let bytes = 0;
    let count = 0;
    const step = start.forward ? 1 : -1;
    for (let i = start.forward ? start.position : start.position - 1; i >= 0 && i < events.length && count < limit; i += step) {
      bytes += Buffer.byteLength(events[i]!.message, "utf8") + EVENT_OVERHEAD_BYTES;
      if (bytes > MAX_RESPONSE_BYTES && count > 0) break;
      count++;
    }
    return start.forward ? { from: start.position, to: start.position + count } : { from: start.position - count, to: start.position };
  }
}

/** Without a token GetLogEvents reads from the head, or back from the tail (startFromHead's default, false). */
function startWithoutToken(startFromHead: boolean, length: number): { forward: boolean; position: number } {
  return startFromHead ? { forward: true, position: 0 } : { forward: false, position: length };
}

function parseToken(sent: string, length: number): { forward: boolean; position: number } | undefined {
  const match = TOKEN_PATTERN.exec(sent);
  const position = Number(match?.[2]);
  if (!match || position > length) return undefined;
  return { forward: match[1] === "f", position };
}

function token(direction: "f" | "b", position: number, serial = 0): string {
  return `${direction}/${String(position).padStart(28, "0")}${String(serial).padStart(28, "0")}/s`;
}
