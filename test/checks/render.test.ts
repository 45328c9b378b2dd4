import type { BuildPhase, BuildSnapshot, BuildStatus } from "../../src/domain/build.js";
import { CHECK_OUTPUT_MAX_BYTES } from "../../src/checks/output-size.js";
import { maskedCheckOutput } from "../../src/adapters/github/checks.js";
import { renderCheckOutput, type CheckOutputInput } from "../../src/checks/render.js";
import { cutLineNote, MAX_LOG_LINE_LENGTH } from "../../src/checks/terminal.js";
import { createMasker, type MaskedText } from "../../src/variables/masking.js";
import { at, phase, runningIn, T0 } from "./fixtures.js";

const LOG_URL = "https://app.example.com/builds/b1";
const LINK = `[Full log](<${LOG_URL}>)`;
const ZWSP = "\u200B";

function finished(status: BuildStatus, phases: BuildPhase[], seconds?: number): BuildSnapshot {
  return {
    id: "project:1",
    status,
    currentPhase: "COMPLETED",
    startTime: seconds === undefined ? undefined : T0,
    endTime: seconds === undefined ? undefined : at(seconds),
    phases,
  };
}

function render(build: BuildSnapshot, extra: Partial<CheckOutputInput> = {}) {
  return renderCheckOutput({ build, logUrl: LOG_URL, now: at(30), logLineCount: 50, ...extra });
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("title", () => {
  test.each<[string, BuildSnapshot, number, string]>([
    ["queued for a minute", runningIn("QUEUED"), 60, "Queued"],
    ["queued just under two minutes", runningIn("SUBMITTED"), 119, "Queued"],
    ["queued for two minutes", runningIn("QUEUED"), 120, "Queued in CodeBuild for 2m — the account's concurrent-build limit?"],
    ["queued for 4m 59s", runningIn("QUEUED"), 299, "Queued in CodeBuild for 4m — the account's concurrent-build limit?"],
    ["starting after a long queue", runningIn("PROVISIONING"), 600, "Starting"],
    [
      "the local runner's wait keeps its own reason",
      {
        ...runningIn("QUEUED"),
        phases: [{ name: "QUEUED", status: "IN_PROGRESS", startTime: T0, messages: ["LOCAL_CONCURRENCY=2 builds run at once on this machine"] }],
      },
      600,
      "Queued — LOCAL_CONCURRENCY=2 builds run at once on this machine",
    ],
  ])("%s", (_, build, seconds, title) => {
    expect(render(build, { now: at(seconds) }).title).toBe(title);
  });

  test.each<[string, BuildSnapshot, string]>([
    ["no phases yet", { id: "p:1", status: "IN_PROGRESS", phases: [] }, "Queued"],
    ["SUBMITTED", runningIn("SUBMITTED"), "Queued"],
    ["QUEUED", runningIn("QUEUED"), "Queued"],
    [
      "QUEUED, saying why (the local runner's LOCAL_CONCURRENCY)",
      {
        ...runningIn("QUEUED"),
        phases: [{ name: "QUEUED", status: "IN_PROGRESS", startTime: T0, messages: ["LOCAL_CONCURRENCY=2 builds run at once on this machine"] }],
      },
      "Queued — LOCAL_CONCURRENCY=2 builds run at once on this machine",
    ],
    ["PROVISIONING", runningIn("PROVISIONING"), "Starting"],
    ["DOWNLOAD_SOURCE", runningIn("DOWNLOAD_SOURCE"), "Starting"],
    ["INSTALL", runningIn("INSTALL"), "Building — INSTALL phase"],
    ["PRE_BUILD", runningIn("PRE_BUILD"), "Building — PRE_BUILD phase"],
    ["BUILD", runningIn("BUILD"), "Building — BUILD phase"],
    ["POST_BUILD", runningIn("POST_BUILD"), "Building — POST_BUILD phase"],
    ["UPLOAD_ARTIFACTS", runningIn("UPLOAD_ARTIFACTS"), "Building — UPLOAD_ARTIFACTS phase"],
    ["FINALIZING", runningIn("FINALIZING"), "Building — FINALIZING phase"],
    ["no currentPhase: the last phase", { ...runningIn("BUILD"), currentPhase: undefined }, "Building — BUILD phase"],
    ["succeeded", finished("SUCCEEDED", [phase("BUILD", "SUCCEEDED", 0, 161)], 161), "Build succeeded in 2m 41s"],
    ["succeeded, no times", finished("SUCCEEDED", [phase("BUILD", "SUCCEEDED", 0, 161)]), "Build succeeded"],
    [
      "failed in PRE_BUILD",
      finished("FAILED", [phase("INSTALL", "SUCCEEDED", 0, 40), phase("PRE_BUILD", "FAILED", 40, 62), phase("FINALIZING", "SUCCEEDED", 62, 62)], 62),
      "Build failed in PRE_BUILD after 1m 2s",
    ],
    ["failed, no times", finished("FAILED", [phase("PRE_BUILD", "FAILED", 0, 2)]), "Build failed in PRE_BUILD"],
    [
      "failed: the first failing phase counts",
      finished("FAILED", [phase("BUILD", "FAILED", 0, 5), phase("UPLOAD_ARTIFACTS", "FAILED", 5, 6)], 6),
      "Build failed in BUILD after 6s",
    ],
    ["failed, no phase failed", finished("FAILED", [phase("BUILD", "SUCCEEDED", 0, 5)], 5), "Build failed after 5s"],
    [
      "fault",
      finished("FAULT", [phase("SUBMITTED", "SUCCEEDED", 0, 0), phase("PROVISIONING", "FAULT", 0, 3)], 3),
      "Build failed in PROVISIONING after 3s (CodeBuild fault)",
    ],
    ["client error", finished("FAILED", [phase("DOWNLOAD_SOURCE", "CLIENT_ERROR", 0, 4)], 4), "Build failed in DOWNLOAD_SOURCE after 4s"],
    ["timed out", finished("TIMED_OUT", [phase("BUILD", "TIMED_OUT", 0, 3600)], 3600), "Build timed out after 1h 0m"],
    ["stopped", finished("STOPPED", [phase("BUILD", "STOPPED", 0, 12)], 12), "Build cancelled after 12s"],
    ["stopped while queued", finished("STOPPED", [phase("SUBMITTED", "SUCCEEDED", 0, 0)]), "Build cancelled"],
  ])("%s: %s", (_, build, title) => {
    expect(render(build).title).toBe(title);
  });
});

describe("summary", () => {
  const failed = finished(
    "FAILED",
    [
      phase("SUBMITTED", "SUCCEEDED", 0, 0),
      phase("QUEUED", "SUCCEEDED", 0, 2),
      phase("PROVISIONING", "SUCCEEDED", 2, 20),
      phase("DOWNLOAD_SOURCE", "SUCCEEDED", 20, 23),
      phase("INSTALL", "SUCCEEDED", 23, 83),
      phase("PRE_BUILD", "FAILED", 83, 145, ["COMMAND_EXECUTION_ERROR: Error while executing command: npm test. Reason: exit status 1"]),
      phase("FINALIZING", "SUCCEEDED", 145, 147),
      { name: "COMPLETED", startTime: at(147), messages: [] },
    ],
    147,
  );

  test("a failed build: phase table, the failing phase's message, the log link", () => {
    expect(render(failed).summary).toBe(
      [
        "| Phase | Status | Duration |",
        "| --- | --- | --- |",
        "| SUBMITTED | succeeded | 0s |",
        "| QUEUED | succeeded | 2s |",
        "| PROVISIONING | succeeded | 18s |",
        "| DOWNLOAD\\_SOURCE | succeeded | 3s |",
        "| INSTALL | succeeded | 1m 0s |",
        "| PRE\\_BUILD | failed | 1m 2s |",
        "| FINALIZING | succeeded | 2s |",
        "",
        "**PRE\\_BUILD failed:**",
        "> COMMAND\\_EXECUTION\\_ERROR\\: Error while executing command\\: npm test\\. Reason\\: exit status 1",
        "",
        LINK,
      ].join("\n"),
    );
  });

  test.each<[string, BuildPhase, string]>([
    ["running: in progress, time so far", phase("BUILD", undefined, 10), "| BUILD | in progress | 20s |"],
    ["running, CodeBuild says IN_PROGRESS", phase("BUILD", "IN_PROGRESS", 0), "| BUILD | in progress | 30s |"],
    ["ended phase of a running build", phase("INSTALL", "SUCCEEDED", 0, 61), "| INSTALL | succeeded | 1m 1s |"],
    ["duration from the times alone", { ...phase("INSTALL", "SUCCEEDED", 0, 61), durationSeconds: undefined }, "| INSTALL | succeeded | 1m 1s |"],
    ["no start time", { name: "QUEUED", status: "SUCCEEDED", messages: [] }, "| QUEUED | succeeded |  |"],
    ["status the app does not know", phase("BUILD", "SOMETHING_NEW", 0, 1), "| BUILD | something new | 1s |"],
    ["timed out", phase("BUILD", "TIMED_OUT", 0, 9), "| BUILD | timed out | 9s |"],
    ["name with markup", phase("STEP | <b>", "SUCCEEDED", 0, 1), "| STEP \\| \\<b\\> | succeeded | 1s |"],
  ])("phase row, %s", (_, row, expected) => {
    const build: BuildSnapshot = { id: "p:1", status: "IN_PROGRESS", currentPhase: row.name, startTime: T0, phases: [row] };
    expect(render(build).summary.split("\n")).toContain(expected);
  });

  test("a phase without status in a finished build has an empty status", () => {
    const build = finished("STOPPED", [phase("BUILD", undefined, 0)], 5);
    expect(render(build).summary.split("\n")).toContain("| BUILD |  |  |");
  });

  test("no phases yet", () => {
    expect(render({ id: "p:1", status: "IN_PROGRESS", phases: [] }).summary).toBe(`CodeBuild has not reported any phases yet.\n\n${LINK}`);
  });

  test("messages of a successful build's phases are not shown", () => {
    const build = finished("SUCCEEDED", [phase("BUILD", "SUCCEEDED", 0, 1, ["all good"])], 1);
    expect(render(build).summary).not.toContain("all good");
  });

  test("several messages, several lines, each quoted and escaped", () => {
    const build = finished("FAILED", [phase("BUILD", "FAILED", 0, 5, ["first | line\nsecond `line`", "ping @someone <script>alert(1)</script> [link](x)"])], 5);
    const summary = render(build).summary;
    expect(summary).toContain(
      [
        "**BUILD failed:**",
        "> first \\| line",
        "> second \\`line\\`",
        ">",
        `> ping @${ZWSP}someone \\<script\\>alert\\(1\\)\\<\\/script\\> \\[link\\]\\(x\\)`,
      ].join("\n"),
    );
    expect(summary).not.toMatch(/@someone|<script>|\[link\]\(x\)|(?<!\\)`line/);
  });

  test("CodeBuild's terminal escapes are removed from messages", () => {
    const build = finished("FAILED", [phase("BUILD", "FAILED", 0, 5, ["\x1b[31mred\x1b[0m error"])], 5);
    expect(render(build).summary).toContain("> red error");
  });

  test("a secret is masked in the final summary, escapes and all", () => {
    const build = finished("FAILED", [phase("BUILD", "FAILED", 0, 5, ["login with p@ss.word failed"])], 5);
    const { summary } = maskedCheckOutput(createMasker(["p@ss.word"]), render(build));
    expect(summary).toContain("> login with *** failed");
    expect(summary).not.toContain("ss");
  });

  test.each<[string, BuildSnapshot, string]>([
    ["fault", finished("FAULT", [phase("PROVISIONING", "FAULT", 0, 3)], 3), "CodeBuild reported a fault"],
    ["timeout", finished("TIMED_OUT", [phase("BUILD", "TIMED_OUT", 0, 3600)], 3600), "`timeout_minutes` in `.github/codebuild.yml`"],
    ["log only in S3", { ...runningIn("BUILD"), logs: { s3Only: true } }, "writes its log to S3 only"],
  ])("a note for %s, before the log link", (_, build, note) => {
    const summary = render(build).summary;
    expect(summary).toContain(note);
    expect(summary.indexOf(note)).toBeLessThan(summary.indexOf(LINK));
  });

  test.each<[string, BuildSnapshot, boolean, boolean]>([
    ["an untrusted build that failed fetching its source", finished("FAILED", [phase("DOWNLOAD_SOURCE", "CLIENT_ERROR", 0, 4)], 4), true, true],
    ["a trusted build that failed fetching its source", finished("FAILED", [phase("DOWNLOAD_SOURCE", "CLIENT_ERROR", 0, 4)], 4), false, false],
    ["an untrusted build that failed later", finished("FAILED", [phase("DOWNLOAD_SOURCE", "SUCCEEDED", 0, 4), phase("BUILD", "FAILED", 4, 9)], 9), true, false],
  ])("%s: says why CodeBuild could not fetch it, and what the operator can do: %s", (_, build, untrusted, said) => {
    const summary = render(build, { untrusted }).summary;
    expect(summary.includes("CodeBuild could not fetch the source. This build is of untrusted code")).toBe(said);
    if (said) expect(summary).toContain("`CODEBUILD_UNTRUSTED_ROLE`");
  });

  test("long failure messages are cut to fit GitHub's limit, keeping the table and the link", () => {
    const line = "é|@x".repeat(250);
    const build = finished(
      "FAILED",
      [
        phase(
          "BUILD",
          "FAILED",
          0,
          5,
          Array.from({ length: 100 }, () => `${line}\n${line}`),
        ),
      ],
      5,
    );
    const summary = render(build).summary;
    expect(bytes(summary)).toBeLessThanOrEqual(CHECK_OUTPUT_MAX_BYTES);
    expect(bytes(summary)).toBeGreaterThan(CHECK_OUTPUT_MAX_BYTES - 3000);
    expect(summary).toMatch(/^\| Phase \| Status \| Duration \|/);
    expect(summary).toMatch(/_\d+ more lines of the message are not shown\._\n\n/);
    expect(summary.endsWith(LINK)).toBe(true);
  });

  test("a table too long for GitHub is cut too", () => {
    const phases = Array.from({ length: 3000 }, (_, i) => phase(`STEP_${i}_${"x".repeat(20)}`, "FAILED", 0, 1, ["why"]));
    const summary = render(finished("FAILED", phases, 1)).summary;
    expect(bytes(summary)).toBeLessThanOrEqual(CHECK_OUTPUT_MAX_BYTES);
    expect(summary).toMatch(/_\d+ more phases are not shown\._/);
    expect(summary.endsWith(LINK)).toBe(true);
  });
});

describe("text: the log excerpt", () => {
  const build = runningIn("BUILD");
  const header = (n: number) => `Last ${n} lines of the log ([full log](<${LOG_URL}>)):`;
  /** The content between the fences, after checking that no content line could close the fence. */
  function fenced(text: string): { fence: string; content: string[] } {
    const lines = text.split("\n");
    const open = lines.findIndex((line) => /^`{3,}$/.test(line));
    const fence = lines[open] ?? "";
    expect(lines[lines.length - 1]).toBe(fence);
    const content = lines.slice(open + 1, -1);
    for (const line of content) {
      for (const run of line.match(/`+|~+/g) ?? []) expect(run.length).toBeLessThan(fence.length);
    }
    return { fence, content };
  }

  test("no log lines given: no text", () => {
    expect(render(build)).not.toHaveProperty("text");
  });

  test("an empty log", () => {
    expect(render(build, { logLines: [] }).text).toBe("The log has no lines yet.");
  });

  test("the last log_lines lines in a code fence", () => {
    const text = render(build, { logLines: ["one\n", "two\n", "three\n"], logLineCount: 2 }).text;
    expect(text).toBe(`${header(2)}\n\n\`\`\`\ntwo\nthree\n\`\`\``);
  });

  test("a CloudWatch event with several lines counts as several lines", () => {
    const text = render(build, { logLines: ["a\nb\n", "c\r\n"], logLineCount: 1 }).text;
    expect(fenced(text ?? "").content).toEqual(["c"]);
    expect(text).toMatch(/^Last 1 line of the log/);
  });

  test.each([
    ["backtick fences", ["```", "````js", "code", "````"], 5],
    ["tilde fences", ["~~~~~~", "x"], 7],
    ["inline backticks", ["a `b` ``c``"], 3],
  ])("%s in the log cannot close the fence", (_, logLines, fenceLength) => {
    const { fence, content } = fenced(render(build, { logLines }).text ?? "");
    expect(fence).toBe("`".repeat(fenceLength));
    expect(content).toEqual(logLines);
  });

  test("ANSI escapes and carriage-return redraws are removed", () => {
    const text = render(build, { logLines: ["\x1b[32m✓ compiled\x1b[0m\n", "0%\r50%\r100%\n"] }).text ?? "";
    expect(fenced(text).content).toEqual(["✓ compiled", "100%"]);
    expect(text).not.toContain("\x1b");
  });

  test("secrets are masked in the final excerpt", () => {
    const text = maskedCheckOutput(createMasker(["abc123"]), render(build, { logLines: ["token=abc\x1b[0m123\n"] })).text ?? "";
    expect(fenced(text).content).toEqual(["token=***"]);
  });

  test("a log over 65,535 bytes keeps its end, cut between characters, with a note", () => {
    const logLines = Array.from({ length: 500 }, (_, i) => `${i} ${"€🚀".repeat(100)}\n`);
    const text = render(build, { logLines, logLineCount: 500 }).text ?? "";
    expect(bytes(text)).toBeLessThanOrEqual(CHECK_OUTPUT_MAX_BYTES);
    expect(bytes(text)).toBeGreaterThan(CHECK_OUTPUT_MAX_BYTES - 800);
    expect(text).toMatch(/^Last \d+ lines of the log \(.*\); earlier lines are left out to fit GitHub's limit of 65,535 bytes:/);
    const { content } = fenced(text);
    expect(content[content.length - 1]).toBe(`499 ${"€🚀".repeat(100)}`);
    expect(content[0]?.startsWith("…")).toBe(true);
    expect(text).not.toContain("\uFFFD");
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  test("a line longer than MAX_LOG_LINE_LENGTH is cut with a note, never inside a character", () => {
    const line = "é".repeat(MAX_LOG_LINE_LENGTH - 1) + "🚀".repeat(10_000) + "END";
    const text = render(build, { logLines: [line] }).text ?? "";
    expect(bytes(text)).toBeLessThanOrEqual(CHECK_OUTPUT_MAX_BYTES);
    const { content } = fenced(text);
    expect(content).toEqual(["é".repeat(MAX_LOG_LINE_LENGTH - 1) + cutLineNote(20_003)]);
    expect(text).not.toContain("\uFFFD");
  });

  test("a huge run of backticks still gives a fence that holds within the limit", () => {
    const logLines = ["before", "`".repeat(50_000), "after"];
    const text = render(build, { logLines }).text ?? "";
    expect(bytes(text)).toBeLessThanOrEqual(CHECK_OUTPUT_MAX_BYTES);
    const { fence, content } = fenced(text);
    expect(content).toEqual(["before", "`".repeat(MAX_LOG_LINE_LENGTH) + cutLineNote(50_000 - MAX_LOG_LINE_LENGTH), "after"]);
    expect(fence).toBe("`".repeat(MAX_LOG_LINE_LENGTH + 1));
  });
});

describe("build variables in the summary", () => {
  test("names and layers are listed, values never", () => {
    const { summary } = render(runningIn("BUILD"), {
      variables: [
        { name: "API_URL", source: "stored-environment" },
        { name: "NPM_TOKEN", source: "secret" },
        { name: "COMMIT_SHA", source: "identity" },
      ],
    });
    expect(summary).toContain("<summary>Build variables (3)</summary>");
    expect(summary).toContain("- `API_URL` (stored, environment)");
    expect(summary).toContain("- `NPM_TOKEN` (secret)");
    expect(summary).toContain("- `COMMIT_SHA` (set by the app)");
    expect(summary.indexOf("Build variables")).toBeLessThan(summary.indexOf(LINK));
  });

  test("no variables, no section", () => {
    expect(render(runningIn("BUILD")).summary).not.toContain("Build variables");
  });
});

describe("a build superseded by a newer commit's (cancel_in_progress)", () => {
  const NEWER = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
  const NOTE = `A newer commit \`${NEWER}\` superseded this build, so it was stopped`;
  const stopped = finished("STOPPED", [phase("BUILD", "STOPPED", 0, 12)], 12);

  test.each<[string, BuildSnapshot, string | undefined, string, boolean]>([
    ["stopped and superseded", stopped, NEWER, "Cancelled — superseded by 9f8e7d6", true],
    ["stopped while queued and superseded", finished("STOPPED", [phase("SUBMITTED", "SUCCEEDED", 0, 0)]), NEWER, "Cancelled — superseded by 9f8e7d6", true],
    ["stopped, not superseded (/cancel, closed)", stopped, undefined, "Build cancelled after 12s", false],
    ["marked, but it succeeded before the stop", finished("SUCCEEDED", [phase("BUILD", "SUCCEEDED", 0, 161)], 161), NEWER, "Build succeeded in 2m 41s", false],
    ["marked, but it failed before the stop", finished("FAILED", [phase("BUILD", "FAILED", 0, 5)], 5), NEWER, "Build failed in BUILD after 5s", false],
    ["marked while still running", runningIn("BUILD"), NEWER, "Building — BUILD phase", false],
  ])("%s", (_, build, supersededBy, title, noted) => {
    const output = render(build, supersededBy === undefined ? {} : { supersededBy });
    expect(output.title).toBe(title);
    expect(output.summary.includes(NOTE)).toBe(noted);
  });

  test("the note comes before the log link and says where to change it", () => {
    const { summary } = render(stopped, { supersededBy: NEWER });
    expect(summary).toContain("`cancel_in_progress` in `.github/codebuild.yml`");
    expect(summary.indexOf(NOTE)).toBeLessThan(summary.indexOf(LINK));
  });
});

describe("where the build deployed (DEPLOY_URL)", () => {
  const succeeded = finished("SUCCEEDED", [phase("BUILD", "SUCCEEDED", 0, 10)], 10);
  const url = "https://pr-7.preview.example.com/" as MaskedText;

  test("a succeeded build links its address", () => {
    expect(render(succeeded, { deployUrl: { url, masked: false } }).summary).toContain(
      "**Deployed to** [https\\:\\/\\/pr\\-7\\.preview\\.example\\.com\\/](<https://pr-7.preview.example.com/>)",
    );
  });

  test("an address with a hidden value says so", () => {
    const { summary } = render(succeeded, { deployUrl: { url: "https://x.example.com/?t=***" as MaskedText, masked: true } });
    expect(summary).toContain("The address holds a hidden value, shown as `***`.");
  });

  test("a failed build links nothing", () => {
    const failed = finished("FAILED", [phase("BUILD", "FAILED", 0, 10)], 10);
    expect(render(failed, { deployUrl: { url, masked: false } }).summary).not.toContain("pr-7");
  });

  test("an ignored DEPLOY_URL is a note, whatever the build's end", () => {
    const problem = "DEPLOY_URL is a javascript: URL: only http and https addresses are published, so it was ignored.";
    expect(render(succeeded, { deployUrl: { problem } }).summary).toContain(
      "DEPLOY\\_URL is a javascript\\: URL\\: only http and https addresses are published\\, so it was ignored\\.",
    );
  });

  test("without a DEPLOY_URL, nothing is said", () => {
    expect(render(succeeded).summary).not.toContain("Deployed");
  });
});
