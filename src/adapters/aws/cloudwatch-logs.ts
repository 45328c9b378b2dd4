import { CloudWatchLogsClient, GetLogEventsCommand, type OutputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import type { LogEvent, LogLocation, LogPage, LogSource } from "../../ports/build-logs.js";

/** The most events one GetLogEvents call returns (CloudWatch Logs API reference, GetLogEvents: 10,000 events or 1 MB). */
export const GET_LOG_EVENTS_MAX_EVENTS = 10_000;

/**
 * CloudWatch refused a read for its rate quota (shared by the whole account, SPEC 8: LOGS_RPS),
 * after the SDK's own retries: the caller should back off and read again from the same cursor.
 */
export class LogsThrottledError extends Error {
  override readonly name = "LogsThrottledError";

  constructor(location: LogLocation, cause: unknown) {
    super(
      `CloudWatch Logs throttled GetLogEvents on log stream ${location.streamName} of group ${location.groupName}: ` +
        "the account's request rate is exhausted; read again later from the same cursor, or lower LOGS_RPS",
      { cause },
    );
  }
}

/**
 * Reads builds' logs from CloudWatch Logs forward from a cursor (SPEC 8): `startFromHead` and
 * `nextForwardToken`, so no event is read twice. The client takes its region and endpoint
 * (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS included) from the environment.
 */
export class CloudWatchLogSource implements LogSource {
  constructor(private readonly client: CloudWatchLogsClient = new CloudWatchLogsClient({ retryMode: "adaptive" })) {}

  /**
   * One GetLogEvents call. At the end only when CloudWatch hands back the token it was sent: a
   * page may be short or even empty while more events follow (API reference, GetLogEvents).
   */
  async read(location: LogLocation, cursor: string | undefined): Promise<LogPage> {
    try {
      const out = await this.client.send(
        new GetLogEventsCommand({
          logGroupName: location.groupName,
          logStreamName: location.streamName,
          startFromHead: true,
          nextToken: cursor,
          limit: GET_LOG_EVENTS_MAX_EVENTS,
        }),
      );
      const next = out.nextForwardToken ?? cursor;
      return { events: (out.events ?? []).map(toLogEvent), cursor: next, atEnd: next === cursor };
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      // CodeBuild creates the group and stream while provisioning: nothing to read yet.
      if (name === "ResourceNotFoundException") return { events: [], cursor, atEnd: true, missing: true };
      if (name === "ThrottlingException") throw new LogsThrottledError(location, error);
      throw error;
    }
  }
}

function toLogEvent(event: OutputLogEvent): LogEvent {
  return { timestamp: event.timestamp ?? 0, message: event.message ?? "" };
}
