import type { CheckAnnotation } from "../../../src/checks/annotation.js";
import { annotationsFromLog, MAX_ANNOTATIONS_PER_BUILD, nextAnnotationBatch } from "../../../src/checks/annotations/index.js";
import { IMG_ALT, IMG_ELEMENT, MISSING_CURRENCY, readLog, ROOT } from "./logs.js";

const NUMBER_TO_STRING = "Type 'number' is not assignable to type 'string'.";

/** What the fixture CodeBuild log annotates, in the log's order. */
const CODEBUILD_NEXTJS: CheckAnnotation[] = [
  // @actions/core's commands; `::notice` without a file annotates nothing.
  {
    path: "src/app/page.tsx",
    start_line: 3,
    end_line: 11,
    annotation_level: "warning",
    message: "Page weight 1,024 kB: over budget by 24%\nSplit the page or lazy-load the chart",
    title: "Budget: home, 100%",
  },
  {
    path: "src/lib/cart.ts",
    start_line: 5,
    end_line: 5,
    start_column: 3,
    end_column: 14,
    annotation_level: "failure",
    message: "Do not log carts: use the logger",
  },
  { path: "next-env.d.ts", start_line: 1, end_line: 1, annotation_level: "warning", message: "Generated file is stale" },
  // ESLint; `next build` prints the same four problems again later, merged into these.
  {
    path: "src/app/about/page.tsx",
    start_line: 4,
    end_line: 4,
    start_column: 7,
    end_column: 7,
    annotation_level: "warning",
    message: IMG_ELEMENT,
    title: "@next/next/no-img-element",
  },
  {
    path: "src/app/about/page.tsx",
    start_line: 4,
    end_line: 4,
    start_column: 7,
    end_column: 7,
    annotation_level: "warning",
    message: IMG_ALT,
    title: "jsx-a11y/alt-text",
  },
  {
    path: "src/lib/cart.ts",
    start_line: 4,
    end_line: 4,
    start_column: 9,
    end_column: 9,
    annotation_level: "warning",
    message: "'unused' is assigned a value but never used",
    title: "@typescript-eslint/no-unused-vars",
  },
  {
    path: "src/lib/cart.ts",
    start_line: 5,
    end_line: 5,
    start_column: 3,
    end_column: 3,
    annotation_level: "warning",
    message: "Unexpected console statement",
    title: "no-console",
  },
  // tsc, without node_modules/legacy-format/index.ts and ../shared/format.ts; `next build`'s own
  // type error is in node_modules too.
  {
    path: "src/app/page.tsx",
    start_line: 4,
    end_line: 4,
    start_column: 9,
    end_column: 9,
    annotation_level: "failure",
    message: NUMBER_TO_STRING,
    title: "TS2322",
  },
  {
    path: "src/app/page.tsx",
    start_line: 8,
    end_line: 8,
    start_column: 23,
    end_column: 23,
    annotation_level: "failure",
    message: MISSING_CURRENCY,
    title: "TS2345",
  },
  {
    path: "src/lib/price.ts",
    start_line: 7,
    end_line: 7,
    start_column: 9,
    end_column: 9,
    annotation_level: "failure",
    message: "Type 'string' is not assignable to type 'number'.",
    title: "TS2322",
  },
  {
    path: "src/lib/price.ts",
    start_line: 12,
    end_line: 12,
    start_column: 52,
    end_column: 52,
    annotation_level: "failure",
    message: "Property 'amout' does not exist on type 'Price'. Did you mean 'amount'?",
    title: "TS2551",
  },
];

const withoutAnnouncement = (log: string) => log.replace(/^\[Container\] .* CODEBUILD_SRC_DIR=.*\n/m, "");

describe("a CodeBuild log", () => {
  test.each<[string, string, string[]]>([
    ["the checkout announced in the log", readLog("codebuild-nextjs.log"), []],
    ["the checkout given", withoutAnnouncement(readLog("codebuild-nextjs.log")), [ROOT]],
    ["the checkout given with a trailing slash", withoutAnnouncement(readLog("codebuild-nextjs.log")), [`${ROOT}/`]],
    ["no checkout known: CodeBuild's shape", withoutAnnouncement(readLog("codebuild-nextjs.log")), []],
  ])("%s", (_name, log, sourceRoots) => {
    expect(annotationsFromLog([log], { sourceRoots })).toEqual(CODEBUILD_NEXTJS);
  });

  test("a checkout given elsewhere: ESLint's absolute paths are outside it, `next build`'s relative ones are not", () => {
    const annotations = annotationsFromLog([withoutAnnouncement(readLog("codebuild-nextjs.log"))], { sourceRoots: ["/workspace/web"] });
    const [budget, carts, , ...rest] = CODEBUILD_NEXTJS;
    const lint = rest.slice(0, 4);
    const types = rest.slice(4);
    expect(annotations).toEqual([budget, carts, ...types, ...lint]);
  });

  test("CloudWatch events of one line each, with carriage returns, read the same", () => {
    const events = readLog("codebuild-nextjs.log")
      .split("\n")
      .map((line) => `${line}\r\n`);
    expect(annotationsFromLog(events, { sourceRoots: [] })).toEqual(CODEBUILD_NEXTJS);
  });

  test("as the log grows, its annotations only grow at their end", () => {
    const lines = readLog("codebuild-nextjs.log").split("\n");
    const where = (a: CheckAnnotation) => [a.path, a.start_line, a.start_column, a.annotation_level];
    for (let read = 0; read <= lines.length; read++) {
      const sofar = annotationsFromLog(lines.slice(0, read), { sourceRoots: [] });
      expect(sofar.map(where)).toEqual(CODEBUILD_NEXTJS.slice(0, sofar.length).map(where));
    }
  });
});

test("coloured output reads as plain output", () => {
  const plain = annotationsFromLog([readLog("eslint-stylish.log")], { sourceRoots: [ROOT] });
  expect(plain).toHaveLength(8);
  expect(annotationsFromLog([readLog("eslint-stylish-color.log")], { sourceRoots: [ROOT] })).toEqual(plain);
});

describe("duplicates", () => {
  const tsc = readLog("tsc.log");
  const next = readLog("next15-build-type-error.log");
  const pageError = (annotations: CheckAnnotation[]) => annotations.filter((a) => a.path === "src/app/page.tsx" && a.start_line === 4);

  test("the same problem from tsc and `next build` is one annotation, as first seen", () => {
    expect(pageError(annotationsFromLog([tsc, next], { sourceRoots: [ROOT] }))).toEqual([
      {
        path: "src/app/page.tsx",
        start_line: 4,
        end_line: 4,
        start_column: 9,
        end_column: 9,
        annotation_level: "failure",
        message: NUMBER_TO_STRING,
        title: "TS2322",
      },
    ]);
    expect(pageError(annotationsFromLog([next, tsc], { sourceRoots: [ROOT] }))).toEqual([
      { path: "src/app/page.tsx", start_line: 4, end_line: 4, start_column: 9, end_column: 9, annotation_level: "failure", message: NUMBER_TO_STRING },
    ]);
  });

  test("the same lint problem in ESLint's formats and `next build`'s is one annotation", () => {
    const logs = ["eslint-stylish.log", "eslint-unix.log", "eslint-compact.log", "next15-build-lint-errors.log"].map(readLog);
    expect(annotationsFromLog(logs, { sourceRoots: [ROOT] })).toEqual(annotationsFromLog([logs[0] ?? ""], { sourceRoots: [ROOT] }));
  });

  test.each<[string, string]>([
    ["another column", "src/a.ts(1,3): error TS1: m"],
    ["another line", "src/a.ts(2,2): error TS1: m"],
    ["another file", "src/b.ts(1,2): error TS1: m"],
    ["another level", "src/a.ts(1,2): warning TS1: m"],
    ["another message", "src/a.ts(1,2): error TS1: n"],
  ])("%s is another problem", (_name, line) => {
    expect(annotationsFromLog(["src/a.ts(1,2): error TS1: m", line], { sourceRoots: [] })).toHaveLength(2);
  });
});

describe("outside the repository", () => {
  test("workflow commands naming other files, or no line, annotate nothing", () => {
    const annotations = annotationsFromLog([readLog("workflow-commands.log")], { sourceRoots: [ROOT] });
    expect(annotations.map((a) => [a.path, a.start_line])).toEqual([
      ["src/app/layout.tsx", 2],
      ["src/app/page.tsx", 4],
      ["src/lib/price.ts", 12],
      ["app.js", 1],
    ]);
  });

  test.each([
    "/usr/lib/node_modules/npm/lib/cli.js(1,1): error TS1: m",
    "node_modules/x/index.ts(1,1): error TS1: m",
    "../shared/a.ts(1,1): error TS1: m",
    "::error file=/etc/passwd,line=1::m",
    "::error file=../../etc/passwd,line=1::m",
    "::error file=C:\\src\\a.ts,line=1::m",
  ])("%s", (line) => {
    expect(annotationsFromLog([line], { sourceRoots: [ROOT] })).toEqual([]);
  });
});

describe("no annotation without a line", () => {
  test.each([
    "::error file=a.ts::no line",
    "::error file=a.ts,line=0::line 0",
    "::error file=a.ts,line=-3::negative",
    "::error file=a.ts,line=::empty",
    "::error file=a.ts,line=1e3::not digits",
    "::error file=a.ts,line=99999999999999999999::too large to be exact",
    "a.ts(0,0): error TS1: line 0",
    "./a.ts:0:0\nType error: line 0",
    "/x/a.ts\n  0:0  warning  File ignored because of a matching ignore pattern",
    "/x/a.ts:0:0: m [Error/r]",
    "/x/a.ts: line 0, col 0, Warning - m (r)",
    "./a.ts\n0:0  Error: m  r",
  ])("%j", (log) => {
    expect(annotationsFromLog([log], { sourceRoots: ["/x"] })).toEqual([]);
  });

  test.each([
    "codebuild-nextjs.log",
    "eslint-stylish.log",
    "eslint-unix.log",
    "eslint-compact.log",
    "workflow-commands.log",
    "tsc.log",
    "tsc-pretty.log",
    "next15-build-lint-errors.log",
  ])("every annotation of %s starts and ends on a line", (name) => {
    const annotations = annotationsFromLog([readLog(name)], { sourceRoots: [ROOT] });
    expect(annotations.length).toBeGreaterThan(0);
    for (const annotation of annotations) {
      expect(Number.isInteger(annotation.start_line) && annotation.start_line >= 1).toBe(true);
      expect(Number.isInteger(annotation.end_line) && annotation.end_line >= annotation.start_line).toBe(true);
    }
  });
});

describe("at most 200 per build, the most severe kept", () => {
  const line = (level: "error" | "warning" | "notice", i: number) => `::${level} file=src/a.ts,line=${i + 1}::${level} ${i}`;
  const levels = (annotations: CheckAnnotation[]) => annotations.map((a) => `${a.annotation_level} ${a.start_line}`);

  test("warnings give way to failures, notices to both; the log's order stays", () => {
    const log = [
      ...Array.from({ length: 10 }, (_, i) => line("notice", i)),
      ...Array.from({ length: 150 }, (_, i) => line("warning", i)),
      ...Array.from({ length: 100 }, (_, i) => line("error", i)),
    ];
    const annotations = annotationsFromLog(log, { sourceRoots: [] });
    expect(annotations).toHaveLength(MAX_ANNOTATIONS_PER_BUILD);
    expect(levels(annotations)).toEqual([
      ...Array.from({ length: 100 }, (_, i) => `warning ${i + 1}`),
      ...Array.from({ length: 100 }, (_, i) => `failure ${i + 1}`),
    ]);
  });

  test("under the limit, nothing is cut", () => {
    const log = Array.from({ length: MAX_ANNOTATIONS_PER_BUILD }, (_, i) => line("notice", i));
    expect(annotationsFromLog(log, { sourceRoots: [] })).toHaveLength(MAX_ANNOTATIONS_PER_BUILD);
  });

  test("a smaller limit", () => {
    const log = [line("notice", 0), line("warning", 1), line("error", 2), line("warning", 3)];
    expect(levels(annotationsFromLog(log, { sourceRoots: [], max: 2 }))).toEqual(["warning 2", "failure 3"]);
    expect(annotationsFromLog(log, { sourceRoots: [], max: 0 })).toEqual([]);
  });
});

describe("nextAnnotationBatch: 50 per request, across updates", () => {
  const many = (count: number): CheckAnnotation[] =>
    Array.from({ length: count }, (_, i) => ({ path: "a.ts", start_line: i + 1, end_line: i + 1, annotation_level: "notice", message: `${i}` }));
  const lines = (batch: CheckAnnotation[]) => batch.map((a) => a.start_line);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  test.each<[number, number, number[]]>([
    [120, 0, range(1, 50)],
    [120, 50, range(51, 100)],
    [120, 100, range(101, 120)],
    [120, 120, []],
    [120, 500, []],
    [30, -5, range(1, 30)],
    [0, 0, []],
    // A list longer than a build may have: nothing past the 200th.
    [260, 150, range(151, 200)],
    [260, 180, range(181, 200)],
    [260, 200, []],
  ])("%i annotations, %i sent: the next batch", (count, sent, expected) => {
    expect(lines(nextAnnotationBatch(many(count), sent))).toEqual(expected);
  });

  test("sent batch by batch, a build's annotations all go out once", () => {
    const all = many(MAX_ANNOTATIONS_PER_BUILD);
    const sent: CheckAnnotation[] = [];
    for (let batch = nextAnnotationBatch(all, 0); batch.length > 0; batch = nextAnnotationBatch(all, sent.length)) {
      expect(batch.length).toBeLessThanOrEqual(50);
      sent.push(...batch);
    }
    expect(sent).toEqual(all);
  });
});
