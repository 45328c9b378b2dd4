import { markdownLink, longestRun } from "./markdown.js";
import { CHECK_OUTPUT_MAX_BYTES, keepUtf8End, utf8Length } from "./output-size.js";
import { cutLogLine, eventLines, plainLogLine } from "./terminal.js";

export interface LogExcerptInput {
  /** The log as read so far: CloudWatch events, each one or more lines. */
  lines: string[];
  /** How many lines to show: `log_lines` of the repository's config. */
  lineCount: number;
  logUrl: string;
}

/** Marks a line whose start was cut to fit the limit. */
const CUT_MARK = "…";
/** CommonMark's shortest code fence. */
const MIN_FENCE = 3;

/**
 * The check run's `text`: the last lines of the log as plain text in a code fence longer than
 * any run of backticks or tildes in it, so no log line can end the block; at most GitHub's
 * limit, keeping the end of the log.
 */
export function renderLogExcerpt(input: LogExcerptInput): string {
  const all = input.lines.flatMap(eventLines);
  const wanted = all.slice(Math.max(0, all.length - input.lineCount)).map((line) => cutLogLine(plainLogLine(line)));
  if (wanted.length === 0) return "The log has no lines yet.";
  const link = markdownLink("full log", input.logUrl);
  const header = (shown: number, cut: boolean): string =>
    cut
      ? `Last ${count(shown)} of the log (${link}); earlier lines are left out to fit GitHub's limit of ${CHECK_OUTPUT_MAX_BYTES.toLocaleString("en-US")} bytes:`
      : `Last ${count(shown)} of the log (${link}):`;
  // Header, blank line, and the line breaks after the opening and before the closing fence.
  const room = CHECK_OUTPUT_MAX_BYTES - utf8Length(header(wanted.length, true)) - 4;
  const excerpt = fitWithFences(wanted, room);
  const fence = fenceFor(excerpt.lines);
  return `${header(excerpt.lines.length, excerpt.cut)}\n\n${fence}\n${excerpt.lines.join("\n")}\n${fence}`;
}

function count(lines: number): string {
  return lines === 1 ? "1 line" : `${lines} lines`;
}

function fenceFor(lines: string[]): string {
  const content = lines.join("\n");
  return "`".repeat(Math.max(MIN_FENCE, longestRun(content, "`") + 1, longestRun(content, "~") + 1));
}

/**
 * The most of the end of `lines` that fits in `maxBytes` with its two fences. The fence grows with
 * the content (a log may hold a long run of backticks), so the content's budget is searched for:
 * more content never needs a shorter fence.
 */
function fitWithFences(lines: string[], maxBytes: number): { lines: string[]; cut: boolean } {
  const all = keepLastLines(lines, maxBytes);
  if (!all.cut && utf8Length(all.lines.join("\n")) + 2 * fenceFor(all.lines).length <= maxBytes) return all;
  const fits = (budget: number) => budget + 2 * fenceFor(keepLastLines(lines, budget).lines).length <= maxBytes;
  let low = 0;
  let high = maxBytes;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return keepLastLines(lines, low);
}

/** The end of `lines` whose newline-joined text fits in `maxBytes`; the first line kept may lose its start. */
function keepLastLines(lines: string[], maxBytes: number): { lines: string[]; cut: boolean } {
  const reversed: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? "";
    const newline = reversed.length === 0 ? 0 : 1;
    if (used + newline + utf8Length(line) <= maxBytes) {
      reversed.push(line);
      used += newline + utf8Length(line);
      continue;
    }
    const room = maxBytes - used - newline - utf8Length(CUT_MARK);
    if (room > 0) reversed.push(CUT_MARK + keepUtf8End(line, room));
    return { lines: reversed.reverse(), cut: true };
  }
  return { lines: reversed.reverse(), cut: false };
}
