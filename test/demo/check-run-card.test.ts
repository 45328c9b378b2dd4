import { renderSummary } from "../../src/checks/summary.js";
import { renderLogExcerpt } from "../../src/checks/log-excerpt.js";
import { fencedLines, inlineText, markdownLines, PLAIN, renderCheckRunCard } from "../../src/demo/check-run-card.js";
import type { CheckRunState } from "../../src/demo/github-stand-in.js";

const t0 = Date.parse("2026-01-01T12:00:00Z") / 1000;

function run(change: Partial<CheckRunState>): CheckRunState {
  return { id: 1, name: "CodeBuild", head_sha: "a".repeat(40), status: "queued", history: [], ...change };
}

describe("a check run in the terminal, as GitHub shows it", () => {
  test("the app's own summary: the phase table aligned, the failure quoted, variables folded, the link spelled out", () => {
    const summary = renderSummary({
      build: {
        id: "b:1",
        status: "FAILED",
        currentPhase: "COMPLETED",
        startTime: t0,
        endTime: t0 + 12,
        phases: [
          { name: "SUBMITTED", status: "SUCCEEDED", startTime: t0, endTime: t0 + 1, durationSeconds: 1 },
          {
            name: "PRE_BUILD",
            status: "FAILED",
            startTime: t0 + 1,
            endTime: t0 + 12,
            durationSeconds: 11,
            messages: ["Error while executing command: npm run lint. Reason: exit status 1"],
          },
        ],
      } as never,
      logUrl: "http://127.0.0.1:3000/builds/abc",
      now: new Date((t0 + 20) * 1000),
      variables: [{ name: "NEXT_PUBLIC_SITE_NAME", source: "file" }],
    });
    const lines = markdownLines(summary);
    expect(lines).toEqual([
      "Phase       Status      Duration",
      "SUBMITTED   succeeded   1s",
      "PRE_BUILD   failed      11s",
      "",
      "PRE_BUILD failed:",
      "> Error while executing command: npm run lint. Reason: exit status 1",
      "",
      "▸ Build variables (1)",
      "",
      "Full log (http://127.0.0.1:3000/builds/abc)",
    ]);
  });

  test("the excerpt is the inside of the app's code fence, however long its fence", () => {
    const text = renderLogExcerpt({ lines: ["one", "``` not the end", "three"], lineCount: 50, logUrl: "http://x/builds/1" });
    expect(fencedLines(text)).toEqual(["one", "``` not the end", "three"]);
    expect(fencedLines("no fence here")).toEqual([]);
  });

  test("the card: mark, name and title, summary, annotations, the last lines of the log", () => {
    const card = renderCheckRunCard(
      run({
        status: "completed",
        conclusion: "failure",
        output: {
          title: "Build failed in PRE_BUILD",
          summary: "| Phase | Status |\n|---|---|\n| PRE\\_BUILD | failed |",
          text: "```\n" + ["a", "b", "c", "d"].join("\n") + "\n```",
          annotations: [{ path: "pages/index.js", start_line: 3, annotation_level: "failure", message: "Unexpected console statement" }],
        },
      }),
      { style: PLAIN, excerptLines: 2 },
    );
    expect(card[0]).toBe("✗ CodeBuild · Build failed in PRE_BUILD");
    expect(card).toContain("  PRE_BUILD   failed");
    expect(card).toContain("  ✗ pages/index.js:3  Unexpected console statement");
    expect(card.slice(-3)).toEqual(["  Log (last 2 lines)", "  │ c", "  │ d"]);
  });

  test.each([
    ["queued", undefined, "○"],
    ["in_progress", undefined, "●"],
    ["completed", "success", "✓"],
    ["completed", "timed_out", "✗"],
    ["completed", "cancelled", "−"],
  ])("%s %s is marked %s", (status, conclusion, mark) => {
    expect(renderCheckRunCard(run({ status, ...(conclusion && { conclusion }) }), { style: PLAIN, excerptLines: 5 })[0]!.startsWith(mark)).toBe(true);
  });

  test.each([
    ["`code` and **bold**", "code and bold"],
    ["\\*not bold\\* \\[not a link\\]", "*not bold* [not a link]"],
    ["[Full log](<http://x/builds/1>)", "Full log (http://x/builds/1)"],
    ["[text](http://x/a) and [more](http://x/b)", "text (http://x/a) and more (http://x/b)"],
    ["a ](without a closing parenthesis", "a ](without a closing parenthesis"],
  ])("inline %j reads %j", (markdown, text) => {
    expect(inlineText(markdown)).toBe(text);
  });
});
