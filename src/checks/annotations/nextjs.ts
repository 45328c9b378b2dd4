import { lintProblem } from "./eslint.js";
import type { RawAnnotation } from "./raw-annotation.js";
import { continuation } from "./typescript.js";

/*
 * Regular expressions over build output (SPEC 5: linear time; lines arrive cut): all anchored at the
 * start, so each is tried once per line; `.*?` before `:(\d+):(\d+)$` (LOCATION, SWC_FRAME and
 * LINT_FILE's look-ahead) is retried only at a colon, and each retry reads one run of digits; `s` lets
 * `.` take every character, so a line separator cannot make `.*$` fail and backtrack; CODE_FRAME has no
 * two adjacent quantifiers over the same characters (`\s*>?\s*\d*\s*` was cubic on long runs of spaces).
 */
/** A located error, its message on the next line: `./src/app/page.tsx:4:9` then `Type error: …` (or Turbopack's `Error: …`). */
const LOCATION = /^(\.\/\S.*?):(\d+):(\d+)$/s;
/** What `next build` puts before such a message; the rest is what tsc or the bundler said. */
const MESSAGE_PREFIX = /^(?:Type error|Error): /;
/** A file whose lint problems follow: `./src/lib/cart.ts`, with no position. */
const LINT_FILE = /^\.\/(?!.*:\d+:\d+$)\S.*$/s;
/** `4:9  Warning: message  rule-id`, under a LINT_FILE. */
const LINT_PROBLEM = /^(\d+):(\d+)\s+(Error|Warning): (.*)$/s;
/** A line of the code frame shown under a message: `> 4 |   const x…` or `    |     ^`. */
const CODE_FRAME = /^\s*(?:>\s*)?(?:\d+\s*)?\|/;
/** SWC's syntax errors (webpack builds): `Error:   x message`, then the frame's head `,-[/abs/file.tsx:2:1]`. */
const SWC_MESSAGE = /^(?:Error:)?\s*x (.+)$/s;
const SWC_FRAME = /^\s*,-\[(.+):(\d+):(\d+)\]$/s;

/**
 * What `next build` prints: type and bundler errors under a `./file:line:column` line (Next.js 15's
 * type check, Turbopack), lint problems under a `./file` line (Next.js 15 lints while it builds),
 * and SWC's syntax errors. Next.js 16 prints type errors in tsc's own style, which the TypeScript
 * parser reads; errors without a line, such as webpack's "Module not found", annotate nothing.
 */
export function parseNextBuildOutput(lines: string[]): RawAnnotation[] {
  const found: RawAnnotation[] = [];
  let lintFile: string | undefined;
  lines.forEach((line, logLine) => {
    const lint = lintFile === undefined ? null : LINT_PROBLEM.exec(line);
    if (lintFile !== undefined && lint) {
      const [, row = "", column = "", level = "", text = ""] = lint;
      found.push(lintProblem({ file: lintFile, line: row, column, level, message: text, logLine }));
      return;
    }
    lintFile = undefined;
    const location = LOCATION.exec(line);
    const next = lines[logLine + 1]?.trim() ?? "";
    if (location && next !== "") {
      const [, file = "", row = "", column = ""] = location;
      const rest = continuation(lines, logLine + 2, CODE_FRAME);
      const message = [next.replace(MESSAGE_PREFIX, ""), ...rest].join("\n");
      found.push({ file, line: Number(row), column: Number(column), level: "failure", message, logLine });
      return;
    }
    const frame = SWC_FRAME.exec(line);
    const swc = frame && SWC_MESSAGE.exec(lines[logLine - 1] ?? "");
    if (frame && swc) {
      const [, file = "", row = "", column = ""] = frame;
      found.push({ file, line: Number(row), column: Number(column), level: "failure", message: swc[1] ?? "", logLine });
      return;
    }
    if (LINT_FILE.test(line)) lintFile = line.trimEnd();
  });
  return found;
}
