import { z } from "zod";
import { STORED_LINE_MAX_BYTES } from "../ports/build-logs.js";
import { plainLogLine } from "../checks/terminal.js";
import type { Masker, MaskedText } from "../variables/masking.js";

/** Lines per answer of `GET /api/builds/:id/logs` when the caller names no `limit`, and the most it may ask. */
export const DEFAULT_LOG_LIMIT = 200;
export const MAX_LOG_LIMIT = 1000;

/**
 * The most log text one answer carries (SPEC 5 and 7: bounded bytes per response): a flood of long
 * lines gives fewer lines per answer, never a larger one; `nextToken` goes on from there.
 */
export const LOG_ANSWER_MAX_BYTES = 1024 * 1024;

/**
 * What to read from the log store for one answer: enough for the answer and the line after it, so the
 * answer knows whether more is stored (no stored line is longer than STORED_LINE_MAX_BYTES).
 */
export function logReadFor(query: LogQuery): { from: number; limit: number; maxBytes: number } {
  return { from: query.nextToken, limit: query.limit + 1, maxBytes: LOG_ANSWER_MAX_BYTES + STORED_LINE_MAX_BYTES };
}
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
 * `GET /api/builds/:id/logs?nextToken=&limit=&format=`. Every line is given as the log page shows it,
 * plain text (terminal escapes and control characters removed) and masked: `format` (`raw` or
 * `plain`) is still taken, for callers written when `raw` kept the escapes.
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
  logs: { timestamp: number; message: MaskedText }[];
  nextToken: string;
  /** The build has completed and this answer reaches the end of its log: nothing more will come. */
  complete: boolean;
}

/**
 * The answer to a query, from what `logReadFor` read: at most `limit` lines and LOG_ANSWER_MAX_BYTES
 * of text (at least one line); a line read beyond them, never sent, tells that more is stored. Each
 * line's final text (escapes removed) is masked, whatever the stored line holds.
 */
export function logsAnswer(query: LogQuery, read: readonly StoredLogLine[], buildCompleted: boolean, masker: Masker): LogsAnswer {
  const lines: StoredLogLine[] = [];
  let bytes = 0;
  for (const line of read.slice(0, query.limit)) {
    bytes += Buffer.byteLength(line.text, "utf8");
    if (lines.length > 0 && bytes > LOG_ANSWER_MAX_BYTES) break;
    lines.push(line);
  }
  const atEnd = read.length <= lines.length;
  return {
    logs: lines.map((line) => ({ timestamp: line.timestamp, message: masker.mask(plainLogLine(line.text)) })),
    nextToken: encodeLogToken(query.nextToken + lines.length),
    complete: buildCompleted && atEnd,
  };
}
