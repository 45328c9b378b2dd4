import type { CheckAnnotation } from "../annotation.js";
import { keepUtf8Prefix, utf8Length } from "../output-size.js";
import type { RawAnnotation } from "./raw-annotation.js";

/**
 * The longest `message` kept. GitHub takes 64 KB (REST API, "Create a check run", output.annotations:
 * "The maximum size is 64 KB"); the app keeps 4 KiB, so that a build's 200 annotations hold at most
 * 800 KiB however its output is made (SPEC 5: bounded memory). No compiler message comes near.
 */
export const ANNOTATION_MESSAGE_MAX_BYTES = 4 * 1024;
/**
 * GitHub's limit on `title`: "The maximum size is 255 characters", counted here in UTF-16 code units,
 * which are never fewer than characters.
 */
export const ANNOTATION_TITLE_MAX_LENGTH = 255;

const CUT_MARK = "…";

/**
 * A problem as GitHub takes it, at `path` in the repository; undefined when it cannot be one:
 * no line (lines start at 1) or no message. Columns are kept only on a one-line annotation, as
 * GitHub requires.
 */
export function toCheckAnnotation(raw: RawAnnotation, path: string): CheckAnnotation | undefined {
  const message = raw.message.trim();
  if (!isPosition(raw.line) || message === "") return undefined;
  const endLine = isPosition(raw.endLine) && raw.endLine >= raw.line ? raw.endLine : raw.line;
  const column = endLine === raw.line && isPosition(raw.column) ? raw.column : undefined;
  const endColumn = column !== undefined && isPosition(raw.endColumn) && raw.endColumn >= column ? raw.endColumn : column;
  const title = raw.title?.trim();
  return {
    path,
    start_line: raw.line,
    end_line: endLine,
    ...(column !== undefined && { start_column: column, end_column: endColumn }),
    annotation_level: raw.level,
    message: keepUtf8Start(message, ANNOTATION_MESSAGE_MAX_BYTES),
    ...(title && { title: keepStart(title, ANNOTATION_TITLE_MAX_LENGTH) }),
  };
}

function isPosition(value: number | undefined): value is number {
  return value !== undefined && Number.isSafeInteger(value) && value >= 1;
}

/** The start of `text` in at most `maxBytes` bytes of UTF-8, cut between characters and marked. */
function keepUtf8Start(text: string, maxBytes: number): string {
  return utf8Length(text) <= maxBytes ? text : keepUtf8Prefix(text, maxBytes - utf8Length(CUT_MARK)) + CUT_MARK;
}

/** The start of `text` in at most `maxLength` UTF-16 code units, never splitting a surrogate pair, and marked. */
function keepStart(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = maxLength - CUT_MARK.length;
  if (/[\uDC00-\uDFFF]/.test(text.charAt(end))) end--;
  return text.slice(0, end) + CUT_MARK;
}
