import { renderConfigProblems } from "../../src/checks/config-output.js";
import { CHECK_OUTPUT_MAX_BYTES, utf8Length } from "../../src/checks/output-size.js";
import { parseRepoConfig, type ConfigProblem } from "../../src/config/parse.js";

/** The text a reader sees: backslash escapes resolved, code spans (kept with their backticks) left as written. */
function rendered(markdown: string): string {
  let text = "";
  for (let i = 0; i < markdown.length;) {
    const ticks = /^`+/.exec(markdown.slice(i))?.[0];
    if (ticks) {
      const close = markdown.slice(i + ticks.length).search(new RegExp(`(?<!\`)${ticks}(?!\`)`));
      const end = close < 0 ? markdown.length : i + ticks.length + close + ticks.length;
      text += markdown.slice(i, end);
      i = end;
    } else if (markdown[i] === "\\" && /[!-/:-@[-`{-~]/.test(markdown[i + 1] ?? "")) {
      text += markdown[i + 1];
      i += 2;
    } else {
      text += markdown[i];
      i += 1;
    }
  }
  return text;
}

const at = (line: number, column: number, endLine = line, endColumn = column) => ({ line, column, endLine, endColumn });

describe("renderConfigProblems", () => {
  test("title, a count and one list item per problem, with the line where known", () => {
    const output = renderConfigProblems([
      { message: "log_lines must be at most 500, not 9000", path: ["log_lines"], ...at(2, 12, 2, 15) },
      { message: 'forks must be one of "require-approval", "build", "ignore", not the string "x"', path: ["forks"] },
    ]);
    expect(output.title).toBe("Invalid .github/codebuild.yml");
    expect(output.summary).toBe(
      [
        "No build was started: the configuration has 2 problems. Fix them in `.github/codebuild.yml` and push again.",
        "",
        "- line 2: `log_lines` must be at most 500\\, not 9000",
        "- `forks` must be one of `require-approval`\\, `build`\\, `ignore`\\, not the string `x`",
      ].join("\n"),
    );
  });

  test("one problem is worded in the singular", () => {
    expect(renderConfigProblems([{ message: "check_name must not be empty", path: ["check_name"] }]).summary).toMatch(
      /^No build was started: the configuration has 1 problem\. Fix it in/,
    );
  });

  test.each<[string, ConfigProblem, string]>([
    [
      "a key with a variable name",
      { message: "env: CODEBUILD_X is reserved: names starting with CODEBUILD_ belong to CodeBuild", path: ["env", "CODEBUILD_X"] },
      "- `env`: CODEBUILD_X is reserved: names starting with CODEBUILD_ belong to CodeBuild",
    ],
    [
      "an unknown key",
      { message: 'unknown key "unknown_key" at the top level: the allowed keys are project, env', path: ["unknown_key"] },
      "- unknown key `unknown_key` at the top level: the allowed keys are project, env",
    ],
    [
      "a quoted key in the path",
      { message: 'env["a b"] is empty: write a b: "" for an empty value', path: ["env", "a b"] },
      '- `env["a b"]` is empty: write a b: ` ` for an empty value',
    ],
    [
      "a syntax error",
      { message: "YAML syntax error: Tabs are not allowed as indentation", path: [], ...at(8, 1) },
      "- line 8: YAML syntax error: Tabs are not allowed as indentation",
    ],
    ["a value with backticks", { message: 'project "a`b``c" is not allowed here', path: ["project"] }, "- `project` ```a`b``c``` is not allowed here"],
    [
      "a value that starts with a backtick",
      { message: 'forks must be one of "build", not the string "`x"', path: ["forks"] },
      "- `forks` must be one of `build`, not the string `` `x ``",
    ],
    ["a key that only starts like the path", { message: "log_lines_max is not a key", path: ["log_lines"] }, "- log_lines_max is not a key"],
  ])("%s", (_name, problem, item) => {
    expect(renderConfigProblems([problem]).summary.split("\n").slice(2).map(rendered)).toEqual([item]);
  });

  test.each<[string, string]>([
    ["HTML", "<img src=x onerror=alert(1)>"],
    ["a link", "[click](https://evil.example)"],
    ["a mention", "@octocat"],
    ["an image", "![x](https://evil.example/x.png)"],
    ["a line break", "a\n# heading"],
  ])("user text with %s stays inert, in a code span and in the plain text", (_name, value) => {
    const quoted = parseRepoConfig({ raw: `forks: ${JSON.stringify(value)}\n${JSON.stringify(value)}: 1\n` }, { projects: [] });
    if (quoted.ok) throw new Error("expected problems");
    const summary = renderConfigProblems(quoted.problems).summary;
    const outsideCode = summary.replace(/(`+)[\s\S]*?\1/g, "");
    expect(outsideCode).not.toMatch(/<|\]\(|@\w|\n#/);
    expect(summary.split("\n")).toHaveLength(2 + quoted.problems.length);
  });

  test("a message with markdown outside quotes is escaped", () => {
    const summary = renderConfigProblems([{ message: "YAML syntax error: *bold* <b> [x](y) @octocat", path: [] }]).summary;
    expect(summary).toContain("YAML syntax error\\: \\*bold\\* \\<b\\> \\[x\\]\\(y\\) @\u200Boctocat");
  });

  test("annotations: only problems with a line, columns only within one line", () => {
    const { annotations } = renderConfigProblems([
      { message: "log_lines must be at most 500, not 9000", path: ["log_lines"], ...at(2, 12, 2, 15) },
      { message: "forks must be one of …", path: ["forks"] },
      { message: "buildspec must be one line: a path or builtin:<name>", path: ["buildspec"], ...at(4, 12, 7, 9) },
      { message: "YAML syntax error: Tabs are not allowed as indentation", path: [], line: 9, column: 1 },
    ]);
    expect(annotations).toEqual([
      {
        path: ".github/codebuild.yml",
        start_line: 2,
        end_line: 2,
        start_column: 12,
        end_column: 15,
        annotation_level: "failure",
        message: "log_lines must be at most 500, not 9000",
        title: "log_lines",
      },
      {
        path: ".github/codebuild.yml",
        start_line: 4,
        end_line: 7,
        annotation_level: "failure",
        message: "buildspec must be one line: a path or builtin:<name>",
        title: "buildspec",
      },
      {
        path: ".github/codebuild.yml",
        start_line: 9,
        end_line: 9,
        start_column: 1,
        end_column: 1,
        annotation_level: "failure",
        message: "YAML syntax error: Tabs are not allowed as indentation",
      },
    ]);
  });

  test("every problem of a real file is listed and annotated", () => {
    const result = parseRepoConfig({ raw: "check_name: CI\nlog_lines: lots\nunknown_key: 1\n" }, { projects: [] });
    if (result.ok) throw new Error("expected problems");
    const { summary, annotations } = renderConfigProblems(result.problems);
    expect(rendered(summary)).toContain("- line 2: `log_lines` must be a number, not the string `lots`");
    expect(rendered(summary)).toContain("- line 3: unknown key `unknown_key` at the top level");
    expect(annotations.map((a) => [a.start_line, a.start_column, a.end_column])).toEqual([
      [2, 12, 15],
      [3, 1, 11],
    ]);
  });

  test("a summary of very many problems stays within GitHub's limit and says how many it left out", () => {
    const problems = Array.from({ length: 3000 }, (_, i): ConfigProblem => ({
      message: `env: "${"ü".repeat(60)}${i}" is not a valid variable name`,
      path: ["env", `k${i}`],
      line: i + 1,
    }));
    const { summary, annotations } = renderConfigProblems(problems);
    expect(utf8Length(summary)).toBeLessThanOrEqual(CHECK_OUTPUT_MAX_BYTES);
    const listed = summary.split("\n").filter((line) => line.startsWith("- line "));
    expect(listed.length).toBeGreaterThan(100);
    expect(summary.endsWith(`\n- … and ${3000 - listed.length} more`)).toBe(true);
    expect(annotations).toHaveLength(3000);
  });
});
