import type { AnnotationLevel, RawAnnotation } from "./raw-annotation.js";

/** The stylish formatter (ESLint's default) heads each file's problems with its absolute path… */
const STYLISH_FILE = /^\/\S.*$/;
/** …and lists them indented under it: `  4:7  warning  message  rule-id`. */
const STYLISH_PROBLEM = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.*)$/;
/** eslint-formatter-unix: `/abs/file.ts:4:7: message [Warning/rule-id]`. */
const UNIX = /^(.+?):(\d+):(\d+): (.*) \[(Error|Warning)(?:\/([^\]]+))?\]$/;
/** eslint-formatter-compact: `/abs/file.ts: line 4, col 7, Warning - message (rule-id)`. */
const COMPACT = /^(.+?): line (\d+), col (\d+), (Error|Warning) - (.*?)(?: \(([^()\s]+)\))?$/;
/** A rule id after the message, set off by two or more spaces; a parsing error has none. */
const TRAILING_RULE = /^(.*?)\s{2,}(@?[\w.-]+(?:\/[\w.-]+)*)$/;

const LEVELS: Record<string, AnnotationLevel> = { error: "failure", warning: "warning" };

/** ESLint's problems in the stylish, unix and compact formats; the rule id is the title. */
export function parseEslintOutput(lines: string[]): RawAnnotation[] {
  const found: RawAnnotation[] = [];
  let file: string | undefined;
  lines.forEach((line, logLine) => {
    const stylish = file === undefined ? null : STYLISH_PROBLEM.exec(line);
    if (file !== undefined && stylish) {
      const [, row = "", column = "", level = "", text = ""] = stylish;
      found.push(lintProblem(file, row, column, level, text, logLine));
      return;
    }
    file = undefined;
    const unix = UNIX.exec(line);
    if (unix) {
      const [, path = "", row = "", column = "", message = "", level = "", rule] = unix;
      found.push(problem(path, row, column, level, message, rule, logLine));
      return;
    }
    const compact = COMPACT.exec(line);
    if (compact) {
      const [, path = "", row = "", column = "", level = "", message = "", rule] = compact;
      found.push(problem(path, row, column, level, message, rule, logLine));
      return;
    }
    if (STYLISH_FILE.test(line)) file = line.trimEnd();
  });
  return found;
}

/**
 * A lint problem written as `message  rule-id` (stylish, and `next build`'s lint output). Both the
 * rule id and the final full stop that stylish leaves out are taken off, so the same problem reads
 * the same whichever formatter printed it.
 */
export function lintProblem(file: string, row: string, column: string, level: string, text: string, logLine: number): RawAnnotation {
  const [, message = text, rule] = TRAILING_RULE.exec(text) ?? [];
  return problem(file, row, column, level, message, rule, logLine);
}

function problem(file: string, row: string, column: string, level: string, message: string, rule: string | undefined, logLine: number): RawAnnotation {
  return {
    file,
    line: Number(row),
    column: Number(column),
    level: LEVELS[level.toLowerCase()] ?? "failure",
    // One final full stop removed, as the stylish formatter removes it.
    message: message.trim().replace(/([^ ])\.$/u, "$1"),
    title: rule,
    logLine,
  };
}
