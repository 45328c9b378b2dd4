import { z } from "zod";
import { plainLogLine } from "../checks/terminal.js";

/** Lines per answer of `GET /api/builds/:id/logs` when the caller names no `limit`, and the most it may ask. */
export const DEFAULT_LOG_LIMIT = 200;
export const MAX_LOG_LIMIT = 1000;

/** The version in a `nextToken`, so tokens handed out now can be told apart if their form ever changes. */
const TOKEN_PREFIX = "v1:";
const TOKEN_BODY = /^v1:(0|[1-9][0-9]{0,14})$/;

/** The opaque `nextToken` for "continue at this line" (0-based). */
export function encodeLogToken(line: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${line}`).toString("base64url");
}

/** The line a `nextToken` continues at, or undefined for anything this app did not hand out. */
export function decodeLogToken(token: string): number | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const line = TOKEN_BODY.exec(Buffer.from(token, "base64url").toString("utf8"))?.[1];
  return line === undefined ? undefined : Number(line);
}

/** A query parameter sent empty (`?nextToken=`) counts as not sent. */
const absentIfEmpty = (value: unknown) => (value === "" ? undefined : value);

/**
 * `GET /api/builds/:id/logs?nextToken=&limit=&format=`: `format=plain` gives each line as the log
 * page shows it (terminal escapes and control characters removed); the default is the log as stored.
 */
export const logQuerySchema = z.strictObject({
  nextToken: z.preprocess(
    absentIfEmpty,
    z
      .string()
      .optional()
      .transform((token, ctx) => {
        if (token === undefined) return 0;
        const line = decodeLogToken(token);
        if (line === undefined) {
          ctx.addIssue({ code: "custom", message: "expected a nextToken from an earlier answer of this API, or none to start at the first line" });
          return z.NEVER;
        }
        return line;
      }),
  ),
  limit: z.preprocess(
    absentIfEmpty,
    z.coerce
      .number({ error: "expected a number of lines" })
      .int("expected a whole number of lines")
      .min(1, "expected at least 1 line")
      .max(MAX_LOG_LIMIT, `expected at most ${MAX_LOG_LIMIT} lines`)
      .default(DEFAULT_LOG_LIMIT),
  ),
  format: z.preprocess(absentIfEmpty, z.enum(["raw", "plain"], { error: "expected raw (the default) or plain" }).default("raw")),
});

export type LogQuery = z.output<typeof logQuerySchema>;

/** A stored line of a build's log, masked by the watcher. */
export interface StoredLogLine {
  timestamp: number;
  text: string;
}

/** SPEC 7's answer: `{"logs":[{timestamp,message}],"nextToken","complete"}`. */
export interface LogsAnswer {
  logs: { timestamp: number; message: string }[];
  nextToken: string;
  /** The build has completed and this answer reaches the end of its log: nothing more will come. */
  complete: boolean;
}

/**
 * The answer to a query, from up to `limit + 1` lines read at the query's line: the extra line,
 * never sent, tells whether the answer reaches the end of what is stored.
 */
export function logsAnswer(query: LogQuery, read: readonly StoredLogLine[], buildCompleted: boolean): LogsAnswer {
  const lines = read.slice(0, query.limit);
  const atEnd = read.length <= query.limit;
  return {
    logs: lines.map((line) => ({ timestamp: line.timestamp, message: query.format === "plain" ? plainLogLine(line.text) : line.text })),
    nextToken: encodeLogToken(query.nextToken + lines.length),
    complete: buildCompleted && atEnd,
  };
}
