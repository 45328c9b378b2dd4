import { parseNextBuildOutput } from "../../../src/checks/annotations/nextjs.js";
import { IMG_ALT, IMG_ELEMENT, MISSING_CURRENCY, NO_LINK, plainLines, ROOT } from "./logs.js";

const IMPORT_OUTSIDE_MODULE = "'import', and 'export' cannot be used outside of module code";

test.each<[string, string, object[]]>([
  [
    "lint errors fail a Next.js 15 build",
    "next15-build-lint-errors.log",
    [
      { file: "./src/app/about/page.tsx", line: 4, column: 7, level: "warning", message: IMG_ELEMENT, title: "@next/next/no-img-element", logLine: 9 },
      { file: "./src/app/about/page.tsx", line: 4, column: 7, level: "warning", message: IMG_ALT, title: "jsx-a11y/alt-text", logLine: 10 },
      { file: "./src/app/about/page.tsx", line: 5, column: 7, level: "failure", message: NO_LINK, title: "@next/next/no-html-link-for-pages", logLine: 11 },
      { file: "./src/lib/broken.ts", line: 2, column: 9, level: "failure", message: "Parsing error: ':' expected", logLine: 14 },
      {
        file: "./src/lib/cart.ts",
        line: 4,
        column: 9,
        level: "warning",
        message: "'unused' is assigned a value but never used",
        title: "@typescript-eslint/no-unused-vars",
        logLine: 17,
      },
      { file: "./src/lib/cart.ts", line: 5, column: 3, level: "warning", message: "Unexpected console statement", title: "no-console", logLine: 18 },
      {
        file: "./src/lib/cart.ts",
        line: 6,
        column: 7,
        level: "failure",
        message: "'label' is never reassigned. Use 'const' instead",
        title: "prefer-const",
        logLine: 19,
      },
      {
        file: "./src/lib/cart.ts",
        line: 6,
        column: 14,
        level: "failure",
        message: "Unexpected any. Specify a different type",
        title: "@typescript-eslint/no-explicit-any",
        logLine: 20,
      },
    ],
  ],
  [
    "lint warnings, then the type error that fails a Next.js 15 build",
    "next15-build-type-error.log",
    [
      { file: "./src/app/about/page.tsx", line: 4, column: 7, level: "warning", message: IMG_ELEMENT, title: "@next/next/no-img-element", logLine: 7 },
      { file: "./src/app/about/page.tsx", line: 4, column: 7, level: "warning", message: IMG_ALT, title: "jsx-a11y/alt-text", logLine: 8 },
      {
        file: "./src/lib/cart.ts",
        line: 4,
        column: 9,
        level: "warning",
        message: "'unused' is assigned a value but never used",
        title: "@typescript-eslint/no-unused-vars",
        logLine: 11,
      },
      { file: "./src/lib/cart.ts", line: 5, column: 3, level: "warning", message: "Unexpected console statement", title: "no-console", logLine: 12 },
      { file: "./src/app/page.tsx", line: 4, column: 9, level: "failure", message: "Type 'number' is not assignable to type 'string'.", logLine: 17 },
    ],
  ],
  [
    "SWC's syntax error, located by its code frame's absolute path",
    "next15-build-syntax-error.log",
    [{ file: `${ROOT}/src/app/about/page.tsx`, line: 2, column: 1, level: "failure", message: IMPORT_OUTSIDE_MODULE, logLine: 7 }],
  ],
  ["webpack's Module not found names no line", "next15-build-module-not-found.log", []],
  [
    "Turbopack's Module not found, without its code frame",
    "next16-build-module-not-found.log",
    [{ file: "./src/app/page.tsx", line: 2, column: 1, level: "failure", message: "Module not found: Can't resolve 'canvas-confetti'", logLine: 7 }],
  ],
  [
    "Turbopack's syntax error",
    "next16-build-syntax-error.log",
    [{ file: "./src/app/about/page.tsx", line: 2, column: 1, level: "failure", message: IMPORT_OUTSIDE_MODULE, logLine: 7 }],
  ],
  ["Next.js 16's type errors are tsc's, for the TypeScript parser", "next16-build-type-errors.log", []],
])("%s", (_name, log, expected) => {
  expect(parseNextBuildOutput(plainLines(log))).toEqual(expected);
});

test.each<[string, string[], object[]]>([
  [
    "a type error's message chain, up to the blank line before the code frame",
    ["./src/app/page.tsx:8:23", `Type error: ${MISSING_CURRENCY}`, "", "> 8 |       <p>{formatPrice({ amount: 3 })}</p>"],
    [{ file: "./src/app/page.tsx", line: 8, column: 23, level: "failure", message: MISSING_CURRENCY, logLine: 0 }],
  ],
  ["a location with nothing after it yet", ["./src/app/page.tsx:4:9"], []],
  ["a location followed by a blank line", ["./src/app/page.tsx:4:9", "", "Type error: x"], []],
  ["a lint line with no file above it", ["", "4:7  Warning: Unexpected console statement.  no-console"], []],
  ["a located line does not head lint lines", ["./src/a.ts:1:1", "", "4:7  Warning: Unexpected console statement.  no-console"], []],
  ["an SWC frame without SWC's message above it", ["   ,-[/src/a.tsx:2:1]"], []],
])("%s", (_name, lines, expected) => {
  expect(parseNextBuildOutput(lines)).toEqual(expected);
});
