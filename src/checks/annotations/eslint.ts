import type { AnnotationLevel, RawAnnotation } from "./raw-annotation.js";

/*
 * Regular expressions over build output (SPEC 5: linear time; lines arrive cut to MAX_LOG_LINE_LENGTH):
 * - STYLISH_FILE, STYLISH_PROBLEM, UNIX_HEAD, COMPACT_HEAD, RULE_ID: anchored at the start, one attempt
 *   each, no two adjacent quantifiers that can take the same characters (`s`: `.` takes every character,
 *   so a line separator cannot make `.*$` fail and backtrack);
 * - UNIX_TAIL, COMPACT_TAIL: tried at every position, but each try stops at the next bracket, so all
 *   tries together read the line about once;
 * - the full stop at a message's end: one character per position.
 * A rule id after the message is found by a scan from the end, not a regular expression (`(.*?)\s{2,}…$`
 * was quadratic on long runs of spaces).
 */
/** The stylish formatter (ESLint's default) heads each file's problems with its absolute path… */
const STYLISH_FILE = /^\/\S.*$/s;
/** …and lists them indented under it: `  4:7  warning  message  rule-id`. */
const STYLISH_PROBLEM = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.*)$/s;
/** eslint-formatter-unix: `/abs/file.ts:4:7: message [Warning/rule-id]`. The path holds no colon. */
const UNIX_HEAD = /^([^:]+):(\d+):(\d+): /;
const UNIX_TAIL = / \[(Error|Warning)(?:\/([^\][]+))?\]$/;
/** eslint-formatter-compact: `/abs/file.ts: line 4, col 7, Warning - message (rule-id)`. */
const COMPACT_HEAD = /^(.+?): line (\d+), col (\d+), (Error|Warning) - /s;
const COMPACT_TAIL = / \(([^()\s]+)\)$/;
/** A rule id: `no-unused-vars`, `@typescript-eslint/no-explicit-any`. */
const RULE_ID = /^@?[\w.-]+(?:\/[\w.-]+)*$/;

const LEVELS: Record<string, AnnotationLevel> = { error: "failure", warning: "warning" };

/** A lint problem as a formatter printed it, numbers still text. */
export interface PrintedProblem {
  file: string;
  line: string;
  column: string;
  /** `error`, `Warning`, …: formatters differ in case. */
  level: string;
  message: string;
  rule?: string;
  logLine: number;
}

/** ESLint's problems in the stylish, unix and compact formats; the rule id is the title. */
export function parseEslintOutput(lines: string[]): RawAnnotation[] {
  const found: RawAnnotation[] = [];
  let file: string | undefined;
  lines.forEach((line, logLine) => {
    const stylish = file === undefined ? null : STYLISH_PROBLEM.exec(line);
    if (file !== undefined && stylish) {
      const [, row = "", column = "", level = "", text = ""] = stylish;
      found.push(lintProblem({ file, line: row, column, level, message: text, logLine }));
      return;
    }
    file = undefined;
    const unix = unixProblem(line, logLine);
    if (unix) {
      found.push(unix);
      return;
    }
    const compact = compactProblem(line, logLine);
    if (compact) {
      found.push(compact);
      return;
    }
    if (STYLISH_FILE.test(line)) file = line.trimEnd();
  });
  return found;
}

function unixProblem(line: string, logLine: number): RawAnnotation | undefined {
  const head = UNIX_HEAD.exec(line);
  const tail = head && UNIX_TAIL.exec(line);
  if (!head || !tail || tail.index < head[0].length) return undefined;
  const [, path = "", row = "", column = ""] = head;
  const [, level = "", rule] = tail;
  return lintAnnotation({ file: path, line: row, column, level, message: line.slice(head[0].length, tail.index), rule, logLine });
}

function compactProblem(line: string, logLine: number): RawAnnotation | undefined {
  const head = COMPACT_HEAD.exec(line);
  if (!head) return undefined;
  const [, path = "", row = "", column = "", level = ""] = head;
  const rest = line.slice(head[0].length);
  const tail = COMPACT_TAIL.exec(rest);
  const message = tail ? rest.slice(0, tail.index) : rest;
  return lintAnnotation({ file: path, line: row, column, level, message, rule: tail?.[1], logLine });
}

/** A problem whose message ends in its rule id, set off by spaces: stylish, and `next build`'s lint output. */
export function lintProblem(printed: Omit<PrintedProblem, "rule">): RawAnnotation {
  const [message, rule] = splitTrailingRule(printed.message);
  return lintAnnotation({ ...printed, message, rule });
}

/** `message  rule-id` → the message and the rule id: the last word, after two or more spaces, when it is a rule id. */
function splitTrailingRule(text: string): [string, string | undefined] {
  let start = text.length;
  while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--;
  let gap = start;
  while (gap > 0 && isSpace(text.charCodeAt(gap - 1))) gap--;
  const rule = text.slice(start);
  return start - gap >= 2 && RULE_ID.test(rule) ? [text.slice(0, gap), rule] : [text, undefined];
}

/** White space as `\s` reads it, one character at a time. */
function isSpace(code: number): boolean {
  return /\s/.test(String.fromCharCode(code));
}

function lintAnnotation(printed: PrintedProblem): RawAnnotation {
  return {
    file: printed.file,
    line: Number(printed.line),
    column: Number(printed.column),
    level: LEVELS[printed.level.toLowerCase()] ?? "failure",
    // Stylish leaves out a message's final full stop and the others keep it: without it, the same
    // problem reads the same whichever formatter printed it, and merges with itself.
    message: printed.message.trim().replace(/([^ ])\.$/u, "$1"),
    title: printed.rule,
    logLine: printed.logLine,
  };
}
