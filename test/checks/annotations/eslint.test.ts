import { parseEslintOutput } from "../../../src/checks/annotations/eslint.js";
import { IMG_ALT, IMG_ELEMENT, NO_LINK, plainLines, ROOT } from "./logs.js";

const IGNORED =
  'File ignored because of a matching ignore pattern. Use "--no-ignore" to disable file ignore settings or use "--no-warn-ignored" to suppress this warning';

/** What ESLint reported on the fixture app, in its order; line 0 (an ignored file) is the parser's to return and the caller's to drop. */
const PROBLEMS = [
  { file: `${ROOT}/next-env.d.ts`, line: 0, column: 0, level: "warning", message: IGNORED },
  { file: `${ROOT}/src/app/about/page.tsx`, line: 4, column: 7, level: "warning", message: IMG_ELEMENT, title: "@next/next/no-img-element" },
  { file: `${ROOT}/src/app/about/page.tsx`, line: 4, column: 7, level: "warning", message: IMG_ALT, title: "jsx-a11y/alt-text" },
  { file: `${ROOT}/src/app/about/page.tsx`, line: 5, column: 7, level: "failure", message: NO_LINK, title: "@next/next/no-html-link-for-pages" },
  { file: `${ROOT}/src/lib/broken.ts`, line: 2, column: 9, level: "failure", message: "Parsing error: ':' expected" },
  {
    file: `${ROOT}/src/lib/cart.ts`,
    line: 4,
    column: 9,
    level: "warning",
    message: "'unused' is assigned a value but never used",
    title: "@typescript-eslint/no-unused-vars",
  },
  { file: `${ROOT}/src/lib/cart.ts`, line: 5, column: 3, level: "warning", message: "Unexpected console statement", title: "no-console" },
  { file: `${ROOT}/src/lib/cart.ts`, line: 6, column: 7, level: "failure", message: "'label' is never reassigned. Use 'const' instead", title: "prefer-const" },
  {
    file: `${ROOT}/src/lib/cart.ts`,
    line: 6,
    column: 14,
    level: "failure",
    message: "Unexpected any. Specify a different type",
    title: "@typescript-eslint/no-explicit-any",
  },
];

test.each([
  ["eslint-stylish.log", [2, 5, 6, 7, 10, 13, 14, 15, 16]],
  ["eslint-stylish-color.log", [2, 5, 6, 7, 10, 13, 14, 15, 16]],
  ["eslint-unix.log", [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  ["eslint-compact.log", [0, 1, 2, 3, 4, 5, 6, 7, 8]],
])("%s: the same problems, worded the same", (name, logLines) => {
  const expected = PROBLEMS.map((problem, i) => ({ ...problem, logLine: logLines[i] }));
  expect(parseEslintOutput(plainLines(name))).toEqual(expected);
});

test.each<[string, string[], object[]]>([
  ["a stylish problem line without a file above it", ["", "  4:7  error  Unexpected any  no-explicit-any"], []],
  ["a stylish problem line after an unrelated line", ["/src/a.ts", "Some other output", "  4:7  error  Unexpected any  no-explicit-any"], []],
  [
    "the rule id is what follows the last run of two spaces",
    ["/src/a.ts", "  1:1  error  Definition for rule 'x/y' was not found  x/y"],
    [{ file: "/src/a.ts", line: 1, column: 1, level: "failure", message: "Definition for rule 'x/y' was not found", title: "x/y", logLine: 1 }],
  ],
  ["tsc's pretty line is not a unix-format problem", ["src/a.ts:4:9 - error TS2322: Type 'number' is not assignable to type 'string'."], []],
  ["a compiler's `file:line:col: message` without ESLint's [Severity] is not ESLint's", ["/src/a.c:1:2: error: expected ';'"], []],
])("%s", (_name, lines, expected) => {
  expect(parseEslintOutput(lines)).toEqual(expected);
});
