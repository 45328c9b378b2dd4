import type { AnnotationLevel, RawAnnotation } from "./raw-annotation.js";

/** The stylish formatter (ESLint's default) heads each file's problems with its absolute path… */
const STYLISH_FILE = /^\/\S.*$/;
/** …and lists them indented under it: `  4:7  warning  message  rule-id`. */
const STYLISH_PROBLEM = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.*)$/;
/**
 * eslint-formatter-unix: `/abs/file.ts:4:7: message [Warning/rule-id]`. The path may hold no colon,
 * so that a long line full of colons costs one try, not one per colon.
 */
const UNIX = /^([^:]+):(\d+):(\d+): (.*) \[(Error|Warning)(?:\/([^\]]+))?\]$/;
/** eslint-formatter-compact: `/abs/file.ts: line 4, col 7, Warning - message (rule-id)`. */
const COMPACT = /^(.+?): line (\d+), col (\d+), (Error|Warning) - (.*?)(?: \(([^()\s]+)\))?$/;
/** A rule id after the message, set off by two or more spaces; a parsing error has none. */
const TRAILING_RULE = /^(.*?)\s{2,}(@?[\w.-]+(?:\/[\w.-]+)*)$/;

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
    const unix = UNIX.exec(line);
    if (unix) {
      const [, path = "", row = "", column = "", message = "", level = "", rule] = unix;
      found.push(lintAnnotation({ file: path, line: row, column, level, message, rule, logLine }));
      return;
    }
    const compact = COMPACT.exec(line);
    if (compact) {
      const [, path = "", row = "", column = "", level = "", message = "", rule] = compact;
      found.push(lintAnnotation({ file: path, line: row, column, level, message, rule, logLine }));
      return;
    }
    if (STYLISH_FILE.test(line)) file = line.trimEnd();
  });
  return found;
}

/** A problem whose message ends in its rule id, set off by spaces: stylish, and `next build`'s lint output. */
export function lintProblem(printed: Omit<PrintedProblem, "rule">): RawAnnotation {
  const [, message = printed.message, rule] = TRAILING_RULE.exec(printed.message) ?? [];
  return lintAnnotation({ ...printed, message, rule });
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
