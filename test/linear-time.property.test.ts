import fc from "fast-check";
import { matchesGlob } from "../src/builds/globs.js";
import { repositoryMatches } from "../src/builds/project-map.js";
import { annotationsFromLog } from "../src/checks/annotations/index.js";
import { escapeMarkdown } from "../src/checks/markdown.js";
import { renderLogExcerpt } from "../src/checks/log-excerpt.js";
import { eventLines, plainLogLine } from "../src/checks/terminal.js";
import { parseComment } from "../src/workflows/commands/registry.js";
import { extendedFile } from "../src/config/extends.js";
import { fencedLines, inlineText, markdownLines } from "../src/demo/check-run-card.js";
import { fitToWidth } from "../src/demo/live-view.js";
import { parseRepoConfig } from "../src/config/parse.js";
import { safeReturnPath } from "../src/http/session.js";
import { AddMaskValues } from "../src/variables/add-masks.js";
import { createMasker } from "../src/variables/masking.js";
import { growthRatio, LINEAR_RATIO_LIMIT, repeatTo } from "./support/growth.js";

/*
 * SPEC 5: every parser of build output, comments and config runs in time linear in its input. Each
 * property builds inputs from pieces chosen to make regular expressions backtrack (long runs of what a
 * quantifier takes, near-misses of what follows it, separators a `.` does not take) and checks that
 * 4 times the input costs about 4 times the time, not 16.
 */

const RUNS = 8;
const pieces = (units: readonly string[]) => fc.array(fc.constantFrom(...units), { minLength: 1, maxLength: 6 });

function expectLinear(units: readonly string[], work: (text: string) => void, from = 16_384): void {
  fc.assert(
    fc.property(pieces(units), (chosen) => {
      expect(growthRatio((size) => work(repeatTo(chosen, size)), from)).toBeLessThan(LINEAR_RATIO_LIMIT);
    }),
    { numRuns: RUNS },
  );
}

/** Hostile text for line parsers: what their regular expressions match in part. */
const BUILD_OUTPUT = [
  " ",
  "\t",
  ":",
  "1",
  "12",
  "(",
  ")",
  "(1,2)",
  ",",
  "[",
  "]",
  "./",
  "/",
  "\\",
  "x ",
  ",-[",
  ">",
  "|",
  "  ",
  "error",
  "Error",
  "Warning",
  "warning",
  " - ",
  "TS",
  "TS1: ",
  ": error TS1: ",
  " [Error/",
  " [",
  " (",
  "line 1, col 2, ",
  "Error - ",
  "::",
  "::error file=",
  "=",
  "%25",
  "%0A",
  "%2",
  "\u2028",
  "@",
  "-",
  "a",
  "é",
  "🚀",
  "CODEBUILD_SRC_DIR=",
];
const ESCAPES = ["\x1b", "\x1b]", "\x1b[", "\x1b[1;", "\x1b[1;2", "\x07", "\x1b\\", "\x1b(", "\x9b", "\r", "\x00", "\x7f", "a", " ", "0", ";", "[", "m"];

describe("build output: linear in the size of a line", () => {
  test("removing terminal escapes (floods of ESC ] without an end, unfinished CSIs, redraws)", () => {
    expectLinear(ESCAPES, (line) => plainLogLine(line));
  });

  test("splitting an event into lines", () => {
    expectLinear(["\n", "\r\n", "\r", "a", " "], (event) => eventLines(event));
  });

  test("every annotation parser, on one long line", () => {
    expectLinear(BUILD_OUTPUT, (line) => annotationsFromLog([line], { sourceRoots: [] }), 2048);
  });

  test("every annotation parser, on many lines", () => {
    expectLinear([...BUILD_OUTPUT, "\n", "\n  ", "\n./a.ts:1:2\n"], (log) => annotationsFromLog([log], { sourceRoots: [] }), 2048);
  });

  test("masking, with many values and forms, over escapes and line breaks", () => {
    const masker = createMasker(["hunter2-S3cret", "p@ss%word", "aaaaaaab", "abababab", "\\\\\\\\x", "line-one\nline-two"]);
    expectLinear(["hunter2-", "S3cre", "a", "ab", "\\", "\\\\", "@", "\u200b", "%25", "\n", "p@ss", "line-"], (text) => masker.mask(text));
  });

  test("reading ::add-mask:: commands", () => {
    expectLinear(["::add-mask::", "%25", "%0A", "%", " ", "a"], (line) => new AddMaskValues().read(`::add-mask::${line}`));
  });

  test("the check run's excerpt (fences over backtick runs, long lines)", () => {
    expectLinear(["`", "``", "~", "a", "é", "\n"], (log) => renderLogExcerpt({ lines: log.split("\n"), lineCount: 500, logUrl: "https://x.test/b" }), 8192);
  });

  test("markdown escaping", () => {
    expectLinear(["@", "`", "\\", "a", "\r\n", "*"], (text) => escapeMarkdown(text));
  });

  test("the demo's terminal view of a check run: inline markdown, tables, fences, cutting lines to the screen", () => {
    expectLinear(["](", "[", ")", "](<", "**", "*", "`", "\\", "a", " "], (text) => inlineText(text));
    expectLinear(["|", "| a ", "\\|", "---", "\n", "\n|", "<details>", "<summary>", "</details>\n", "`", "](", "a"], (text) => markdownLines(text), 8192);
    expectLinear(["```", "\n", "~~~", "a", "\n```\n"], (text) => fencedLines(text), 8192);
    expectLinear(ESCAPES, (line) => fitToWidth(line, 80));
  });
});

describe("comments and config: linear in their size", () => {
  test("slash-command comments (fences, quotes, lists, HTML, shell quoting)", () => {
    const units = [
      "/env set ",
      "KEY=",
      '"',
      "'",
      "\\",
      "`",
      "```",
      "~~~",
      "> ",
      "- ",
      "1. ",
      "<!--",
      "-->",
      "<a ",
      'b="',
      " ",
      "\n",
      "\r\n",
      "#",
      "*",
      "=",
      "    ",
    ];
    expectLinear(units, (body) => parseComment(body), 2048);
  });

  test(".github/codebuild.yml (YAML, keys, globs, values)", () => {
    const units = [
      "env:\n",
      "  K: ",
      "v",
      "\n",
      " ",
      "- ",
      "[",
      "]",
      "{",
      "}",
      "'",
      '"',
      ":",
      "#",
      "&a ",
      "*a",
      "on:\n",
      "  push:\n    branches: [",
      "a*",
      "**",
      "?",
    ];
    expectLinear(units, (raw) => parseRepoConfig({ raw }, { projects: [] }), 2048);
  });

  test("branch and path filters: linear in the value for any pattern", () => {
    fc.assert(
      fc.property(pieces(["*", "**", "a", "a?", "a+", "[a-b]", "/", "**/", "\\*", "?"]), pieces(["a", "b", "/", "aa"]), (pattern, value) => {
        const glob = pattern.join("");
        expect(growthRatio((size) => matchesGlob(glob, repeatTo(value, size) + "c"), 2048)).toBeLessThan(LINEAR_RATIO_LIMIT);
      }),
      { numRuns: RUNS },
    );
  });

  test("_extends values, and repository names against the operator's globs", () => {
    expectLinear(["a", "-", ".", "_", "/", ":", ".yml", "y"], (value) => extendedFile(value, { owner: "octo", path: ".github/codebuild.yml" }), 2048);
    expectLinear(["-", "a", "ci", "*"], (name) => repositoryMatches("acme/*-*-*-*-config", `acme/${name}`), 2048);
  });

  test("sign-in return paths", () => {
    expectLinear(["/", "\\", ".", "..", "%2e", "%2f", "a", "\t"], (path) => safeReturnPath(`/${path}`.slice(0, 2048)), 256);
  });
});
