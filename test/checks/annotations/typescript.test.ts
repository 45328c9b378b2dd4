import { parseTypeScriptDiagnostics } from "../../../src/checks/annotations/typescript.js";
import { MISSING_CURRENCY, plainLines } from "./logs.js";

const NUMBER_TO_STRING = "Type 'number' is not assignable to type 'string'.";
const STRING_TO_NUMBER = "Type 'string' is not assignable to type 'number'.";
const AMOUT = "Property 'amout' does not exist on type 'Price'. Did you mean 'amount'?";

/** The diagnostics tsc printed for the fixture app, in its order, without where each sits in the log. */
const TSC_DIAGNOSTICS = [
  { file: "node_modules/legacy-format/index.ts", line: 1, column: 56, level: "failure", message: NUMBER_TO_STRING, title: "TS2322" },
  { file: "src/app/page.tsx", line: 4, column: 9, level: "failure", message: NUMBER_TO_STRING, title: "TS2322" },
  { file: "src/app/page.tsx", line: 8, column: 23, level: "failure", message: MISSING_CURRENCY, title: "TS2345" },
  { file: "src/lib/price.ts", line: 7, column: 9, level: "failure", message: STRING_TO_NUMBER, title: "TS2322" },
  { file: "src/lib/price.ts", line: 12, column: 52, level: "failure", message: AMOUT, title: "TS2551" },
  { file: "../shared/format.ts", line: 2, column: 27, level: "failure", message: "Expected 0 arguments, but got 1.", title: "TS2554" },
];

test.each([
  ["tsc.log", [0, 1, 2, 4, 5, 6]],
  // --pretty: code frames, related locations ("'currency' is declared here") and the summary table are not diagnostics.
  ["tsc-pretty.log", [0, 5, 10, 21, 26, 36]],
])("every diagnostic of %s, where the log has it", (name, logLines) => {
  const expected = TSC_DIAGNOSTICS.map((diagnostic, i) => ({ ...diagnostic, logLine: logLines[i] }));
  expect(parseTypeScriptDiagnostics(plainLines(name))).toEqual(expected);
});

test("tsc's diagnostics inside `next build` (Next.js 16), where a message chain ends at the next unindented line", () => {
  expect(parseTypeScriptDiagnostics(plainLines("next16-build-type-errors.log"))).toEqual([
    { file: "src/app/about/page.tsx", line: 2, column: 9, level: "failure", message: STRING_TO_NUMBER, title: "TS2322", logLine: 6 },
    { file: "src/app/page.tsx", line: 4, column: 9, level: "failure", message: NUMBER_TO_STRING, title: "TS2322", logLine: 7 },
    { file: "src/app/page.tsx", line: 8, column: 23, level: "failure", message: MISSING_CURRENCY, title: "TS2345", logLine: 8 },
    { file: "src/lib/price.ts", line: 7, column: 9, level: "failure", message: STRING_TO_NUMBER, title: "TS2322", logLine: 10 },
    { file: "src/lib/price.ts", line: 12, column: 52, level: "failure", message: AMOUT, title: "TS2551", logLine: 11 },
  ]);
});

test.each<[string, string[], object[]]>([
  [
    "a warning",
    ["src/a.ts(3,1): warning TS6385: 'x' is deprecated."],
    [{ file: "src/a.ts", line: 3, column: 1, level: "warning", message: "'x' is deprecated.", title: "TS6385", logLine: 0 }],
  ],
  [
    "a path with spaces and parentheses",
    ["src/my app (old)/a.ts(3,1): error TS1005: ';' expected."],
    [{ file: "src/my app (old)/a.ts", line: 3, column: 1, level: "failure", message: "';' expected.", title: "TS1005", logLine: 0 }],
  ],
  [
    "a deeper message chain, then a line of another tool indented by three spaces",
    [
      "src/a.ts(1,7): error TS2322: Type 'A' is not assignable to type 'B'.",
      "  Types of property 'x' are incompatible.",
      "    Type 'string' is not assignable to type 'number'.",
      "   ▲ Next.js 15.5.29",
    ],
    [
      {
        file: "src/a.ts",
        line: 1,
        column: 7,
        level: "failure",
        message: "Type 'A' is not assignable to type 'B'.\n  Types of property 'x' are incompatible.\n    Type 'string' is not assignable to type 'number'.",
        title: "TS2322",
        logLine: 0,
      },
    ],
  ],
  ["a diagnostic without a file", ["error TS5083: Cannot read file '/x/tsconfig.json'."], []],
  ["a related location, indented", ["  src/lib/price.ts:3:3"], []],
  ["the summary table of --pretty", ["     2  src/app/page.tsx:4"], []],
  ["a message category tsc does not fail on", ["src/a.ts(1,1): message TS6194: Found 0 errors."], []],
])("%s", (_name, lines, expected) => {
  expect(parseTypeScriptDiagnostics(lines)).toEqual(expected);
});
