/** A line's words, or why it cannot be split (an unclosed quote, a backslash at its end). */
export type ShellWords = { ok: true; words: string[] } | { ok: false; problem: string };

const ESCAPABLE_IN_DOUBLE_QUOTES = new Set(['"', "\\", "$", "`"]);

/**
 * A command line split into words as a POSIX shell splits them, without any expansion: spaces and
 * tabs separate words; '…' keeps everything literally; "…" keeps everything but `\"`, `\\`, `\$`
 * and `` \` ``, which stand for the character escaped; outside quotes a backslash escapes the next
 * character. Quoted and unquoted parts next to each other make one word (`KEY="a b"c`).
 * `$`, `~`, `*`, `#` and backticks are ordinary characters.
 */
export function shellWords(line: string): ShellWords {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= "";
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return { ok: false, problem: `the single quote at column ${columnOf(line, i)} is never closed: end the quoted text with another '` };
      word += line.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      const quoted = doubleQuoted(line, i);
      if (quoted === undefined)
        return {
          ok: false,
          problem: `the double quote at column ${columnOf(line, i)} is never closed: end the quoted text with another " (write \\" for a quote inside it)`,
        };
      word += quoted.text;
      i = quoted.close;
    } else if (c === "\\") {
      if (i + 1 === line.length)
        return { ok: false, problem: "the line ends with a backslash, which escapes nothing: remove it, or put the value in single quotes" };
      word += line[++i] as string;
    } else {
      word += c;
    }
  }
  if (word !== undefined) words.push(word);
  return { ok: true, words };
}

/** The text of the double-quoted string opening at `open`, and where it closes; undefined when it never does. */
function doubleQuoted(line: string, open: number): { text: string; close: number } | undefined {
  let text = "";
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"') return { text, close: i };
    const next = line[i + 1];
    if (c === "\\" && next !== undefined && ESCAPABLE_IN_DOUBLE_QUOTES.has(next)) {
      text += next;
      i++;
    } else {
      text += c;
    }
  }
  return undefined;
}

/** 1-based, in characters as a person counts them (code points). */
function columnOf(line: string, index: number): number {
  return Array.from(line.slice(0, index)).length + 1;
}
