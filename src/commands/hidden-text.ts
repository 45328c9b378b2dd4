/**
 * Inline constructs that may span the lines of one paragraph and hide what they hold from view as
 * text (CommonMark 6.1, 6.5, 6.6): code spans, HTML comments, HTML tags and autolinks. They take
 * effect only when closed within the paragraph, leftmost first.
 */

/*
 * Regular expressions over comments (linear time): HTML_TAG and AUTOLINK are sticky, tried only at a
 * `<`, and every part of them stops at the character that ends it (a name at a non-name character,
 * a quoted value at its quote), so a try reads only up to the next `<` or quote; ASCII_PUNCTUATION
 * reads one character.
 */
/** An open or closing HTML tag; its quoted attribute values may span lines (CommonMark 6.6). */
const HTML_TAG = /<(?:[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?|\/[A-Za-z][A-Za-z0-9-]*\s*)>/y;
const AUTOLINK = /<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>/y;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/** For each line of a paragraph (leading spaces removed), whether it starts inside hidden text. */
export function hiddenLineStarts(lines: string[]): boolean[] {
  const text = lines.join("\n");
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const hidden = lines.map(() => false);
  let next = 0;
  for (const [from, to] of hiddenRanges(text)) {
    while (next < starts.length && (starts[next] as number) <= from) next++;
    for (; next < starts.length && (starts[next] as number) < to; next++) hidden[next] = true;
  }
  return hidden;
}

/** Ranges `[from, to)` of `text` that render as code or not at all, in order. */
function* hiddenRanges(text: string): Generator<[number, number]> {
  const unclosedRuns = new Set<number>();
  let commentsClose = true;
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === "\\") {
      i += ASCII_PUNCTUATION.test(text[i + 1] ?? "") ? 2 : 1;
    } else if (c === "`") {
      const run = runLength(text, i);
      const close = unclosedRuns.has(run) ? -1 : closingRun(text, i + run, run);
      if (close < 0) unclosedRuns.add(run);
      else yield [i, close + run];
      i = close < 0 ? i + run : close + run;
    } else if (c === "<" && text.startsWith("<!--", i)) {
      // `<!-->` and `<!--->` are comments too, hence the search from the second character.
      const close: number = commentsClose ? text.indexOf("-->", i + 2) : -1;
      commentsClose = close >= 0;
      if (close >= 0) yield [i, close + 3];
      i = close < 0 ? i + 4 : close + 3;
    } else if (c === "<") {
      const end = matchEnd(HTML_TAG, text, i) ?? matchEnd(AUTOLINK, text, i);
      if (end !== undefined) yield [i, end];
      i = end ?? i + 1;
    } else {
      i++;
    }
  }
}

function runLength(text: string, at: number): number {
  let end = at;
  while (text[end] === "`") end++;
  return end - at;
}

/** Where the next run of exactly `length` backticks from `from` starts, or -1. */
function closingRun(text: string, from: number, length: number): number {
  for (let i = text.indexOf("`", from); i >= 0;) {
    const run = runLength(text, i);
    if (run === length) return i;
    i = text.indexOf("`", i + run);
  }
  return -1;
}

function matchEnd(sticky: RegExp, text: string, at: number): number | undefined {
  sticky.lastIndex = at;
  return sticky.test(text) ? sticky.lastIndex : undefined;
}
