/**
 * Text from builds and users goes into GitHub-flavoured markdown only through these functions,
 * so that it shows as written and can neither add markup nor notify anyone.
 */

/* Over build output and comments (linear time): one character class, or one fixed alternative, per position. */

/** Every ASCII punctuation character: CommonMark lets a backslash escape each of them. */
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g;
const LINE_BREAK = /\r\n|\r|\n/g;
/**
 * GitHub turns `@name` in rendered text into a mention even when the `@` is escaped;
 * an invisible character after the `@` stops that (Renovate and Dependabot do the same).
 */
const ZERO_WIDTH_SPACE = "\u200B";

/**
 * Inline text that renders literally in a paragraph, a `>` quote or a table cell:
 * punctuation backslash-escaped (no links, HTML, emphasis or cell breaks), no mentions,
 * line breaks turned into spaces.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(LINE_BREAK, " ").replace(ASCII_PUNCTUATION, (c) => (c === "@" ? `@${ZERO_WIDTH_SPACE}` : `\\${c}`));
}

/** The longest run of `char` in `text`. */
export function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * `value` as an inline code span (code spans never mention or link), delimited by more backticks
 * than any run inside it. Not for table cells: GitHub splits cells at `|` even inside code.
 */
export function codeSpan(value: string): string {
  const flat = value.replace(LINE_BREAK, " ");
  if (flat === "") return "` `";
  const ticks = "`".repeat(longestRun(flat, "`") + 1);
  // CommonMark strips one space from each end when both ends have one; a backtick at an end needs one.
  const pad = flat.trim() !== "" && /^[` ]|[` ]$/.test(flat) ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A `>` quote of `text`, line by line, escaped. */
export function blockquote(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line) => (line === "" ? ">" : `> ${escapeMarkdown(line)}`))
    .join("\n");
}

/** A link whose destination cannot end early: `<`, `>`, `\` and white space percent-encoded. */
export function markdownLink(label: string, url: string): string {
  const destination = url.replace(/[<>\\\s]/g, (c) => encodeURIComponent(c));
  return `[${escapeMarkdown(label)}](<${destination}>)`;
}
