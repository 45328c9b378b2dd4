import { ANNOTATION_MESSAGE_MAX_BYTES, ANNOTATION_TITLE_MAX_LENGTH, toCheckAnnotation } from "../../../src/checks/annotations/check-annotation.js";
import type { RawAnnotation } from "../../../src/checks/annotations/raw-annotation.js";

const raw = (fields: Partial<RawAnnotation>): RawAnnotation => ({ file: "ignored", line: 3, level: "failure", message: "m", logLine: 0, ...fields });

test.each<[string, Partial<RawAnnotation>, object | undefined]>([
  ["a line", {}, { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", message: "m" }],
  [
    "a column: it ends where it starts",
    { column: 5 },
    { path: "src/a.ts", start_line: 3, end_line: 3, start_column: 5, end_column: 5, annotation_level: "failure", message: "m" },
  ],
  [
    "columns on one line",
    { column: 5, endLine: 3, endColumn: 9 },
    { path: "src/a.ts", start_line: 3, end_line: 3, start_column: 5, end_column: 9, annotation_level: "failure", message: "m" },
  ],
  [
    "columns across lines are left out",
    { column: 5, endLine: 6, endColumn: 2 },
    { path: "src/a.ts", start_line: 3, end_line: 6, annotation_level: "failure", message: "m" },
  ],
  ["an end line before the start", { endLine: 1 }, { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", message: "m" }],
  [
    "an end column before the start column",
    { column: 5, endColumn: 2 },
    { path: "src/a.ts", start_line: 3, end_line: 3, start_column: 5, end_column: 5, annotation_level: "failure", message: "m" },
  ],
  [
    "column 0 (ESLint's for a whole file) is no column",
    { column: 0 },
    { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", message: "m" },
  ],
  ["a title, trimmed", { title: " TS2322 " }, { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", message: "m", title: "TS2322" }],
  ["a warning", { level: "warning" }, { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "warning", message: "m" }],
  ["an empty title is none", { title: "  " }, { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", message: "m" }],
  ["a message trimmed", { message: "  m \n" }, { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", message: "m" }],
  ["line 0", { line: 0 }, undefined],
  ["a negative line", { line: -2 }, undefined],
  ["a line that is not whole", { line: 1.5 }, undefined],
  ["a line that is not a number", { line: Number.NaN }, undefined],
  ["a line past what a number holds exactly", { line: 2 ** 53 }, undefined],
  ["no message", { message: " " }, undefined],
])("%s", (_name, fields, expected) => {
  expect(toCheckAnnotation(raw(fields), "src/a.ts")).toEqual(expected);
});

describe("GitHub's field limits", () => {
  const bytes = (text: string) => Buffer.byteLength(text, "utf8");

  test("a message past 64 KB keeps its start, cut between characters", () => {
    const message = "é".repeat(ANNOTATION_MESSAGE_MAX_BYTES);
    const cut = toCheckAnnotation(raw({ message }), "a.ts")?.message ?? "";
    expect(bytes(cut)).toBeLessThanOrEqual(ANNOTATION_MESSAGE_MAX_BYTES);
    expect(bytes(cut)).toBeGreaterThan(ANNOTATION_MESSAGE_MAX_BYTES - 4);
    expect(cut).toMatch(/^é+…$/);
  });

  test("a message of exactly 64 KB is whole", () => {
    const message = "a".repeat(ANNOTATION_MESSAGE_MAX_BYTES);
    expect(toCheckAnnotation(raw({ message }), "a.ts")?.message).toBe(message);
  });

  test("a title past 255 characters keeps its start and never splits a surrogate pair", () => {
    const title = `a${"🚀".repeat(200)}`;
    const cut = toCheckAnnotation(raw({ title }), "a.ts")?.title ?? "";
    expect(cut.length).toBeLessThanOrEqual(ANNOTATION_TITLE_MAX_LENGTH);
    expect(cut).toMatch(/^a(?:🚀)+…$/u);
  });

  test("a title of exactly 255 characters is whole", () => {
    const title = "t".repeat(ANNOTATION_TITLE_MAX_LENGTH);
    expect(toCheckAnnotation(raw({ title }), "a.ts")?.title).toBe(title);
  });
});
