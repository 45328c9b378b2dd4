import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { describePath, parseRepoConfig, type ConfigPath, type ConfigProblem, type ConfigResult, type ProjectPolicy } from "../../src/config/parse.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/schema.js";

const policy: ProjectPolicy = { projects: ["app-default", "team-web"] };

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), "utf8");
}

function problemsOf(result: ConfigResult): ConfigProblem[] {
  if (result.ok) throw new Error(`expected problems, got a valid config: ${JSON.stringify(result.config)}`);
  return result.problems;
}

function configOf(result: ConfigResult) {
  if (!result.ok) throw new Error(`expected a valid config, got: ${result.problems.map((p) => p.message).join("; ")}`);
  return result.config;
}

const parseRaw = (raw: string, p: ProjectPolicy = policy) => parseRepoConfig({ raw }, p);

describe("valid files, defaults applied", () => {
  test.each<[string, string]>([
    ["an empty file", ""],
    ["a file of comments only", "# nothing configured yet\n\n# really\n"],
    ["a document marker only", "---\n"],
    ["an explicit null document", "~\n"],
  ])("%s is all defaults", (_name, raw) => {
    expect(configOf(parseRaw(raw))).toEqual({ ...DEFAULT_REPO_CONFIG, project: "app-default" });
  });

  test("no file and no merged object is all defaults", () => {
    expect(configOf(parseRepoConfig({ raw: null }, policy))).toEqual({ ...DEFAULT_REPO_CONFIG, project: "app-default" });
  });

  test("SPEC 2's example file", () => {
    expect(configOf(parseRaw(fixture("spec-example.yml"), { projects: ["my-codebuild-project"] }))).toEqual({
      project: "my-codebuild-project",
      buildspec: "builtin:nextjs-build",
      check_name: "CodeBuild",
      on: {
        push: { branches: ["main", "release/*"], tags: [] },
        pull_request: { branches: ["*"] },
        paths: [],
        paths_ignore: [],
      },
      cancel_in_progress: true,
      forks: "require-approval",
      log_lines: 50,
      timeout_minutes: 60,
      deployment: false,
      env: { NEXT_PUBLIC_SITE_NAME: "Example" },
      environments: {
        production: { env: { NEXT_PUBLIC_API_URL: "https://api.example.com" } },
        preview: { env: { NEXT_PUBLIC_API_URL: "https://staging.example.com" } },
      },
    });
  });

  test.each<[string, string, Record<string, unknown>]>([
    [
      "on.push alone keeps the other defaults",
      "on:\n  push:\n    branches: [main]\n",
      {
        on: { push: { branches: ["main"], tags: [] }, pull_request: { branches: ["**"] }, paths: [], paths_ignore: [] },
      },
    ],
    ["numbers and booleans in env become strings", "env:\n  A: 1\n  B: true\n  C: 2.5\n  D: ''\n", { env: { A: "1", B: "true", C: "2.5", D: "" } }],
    ["an environment without env gets an empty one", "environments:\n  preview: {}\n", { environments: { preview: { env: {} } } }],
    ["forks and log_lines", "forks: build\nlog_lines: 500\n", { forks: "build", log_lines: 500 }],
    ["timeout_minutes at its bounds", "timeout_minutes: 5\n", { timeout_minutes: 5 }],
    ["an allowed project", "project: team-web\n", { project: "team-web" }],
    ["deployment on", "deployment: true\n", { deployment: true }],
    ["deployment off", "deployment: false\n", { deployment: false }],
    [
      "paths and paths_ignore",
      "on:\n  paths: [src/**]\n  paths_ignore: ['**/*.md']\n",
      { on: expect.objectContaining({ paths: ["src/**"], paths_ignore: ["**/*.md"] }) },
    ],
  ])("%s", (_name, raw, expected) => {
    expect(configOf(parseRaw(raw))).toMatchObject(expected);
  });

  test("no project in the file and no project mapped to the repository leaves project undefined", () => {
    const config = configOf(parseRaw("log_lines: 10\n", { projects: [] }));
    expect(config.project).toBeUndefined();
    expect(config.log_lines).toBe(10);
  });
});

describe("`on` is a key, not a boolean (YAML 1.2)", () => {
  test.each<[string, string]>([
    ["on", "on:\n  push:\n    branches: [dev]\n"],
    ["quoted on", "'on':\n  push:\n    branches: [dev]\n"],
  ])("%s", (_name, raw) => {
    expect(parseYaml(raw)).toHaveProperty("on");
    expect(configOf(parseRaw(raw)).on.push.branches).toEqual(["dev"]);
  });

  test("yes/no and on/off are strings, not booleans", () => {
    expect(problemsOf(parseRaw("cancel_in_progress: yes\n"))[0]?.message).toBe('cancel_in_progress must be true or false, not the string "yes"');
    expect(configOf(parseRaw("env:\n  A: on\n  B: no\n")).env).toEqual({ A: "on", B: "no" });
  });
});

describe("wrong types and values, one problem each", () => {
  test.each<[string, ConfigPath, string]>([
    ["project: 5\n", ["project"], "project must be a string, not 5"],
    ["project: ''\n", ["project"], "project must not be empty"],
    [`project: ${"p".repeat(256)}\n`, ["project"], "project must be at most 255 characters long"],
    ["buildspec: [a]\n", ["buildspec"], "buildspec must be a string, not a list"],
    ["buildspec: ''\n", ["buildspec"], "buildspec must not be empty"],
    ["check_name: [CI]\n", ["check_name"], "check_name must be a string, not a list"],
    ["check_name: ''\n", ["check_name"], "check_name must not be empty"],
    [`check_name: ${"c".repeat(101)}\n`, ["check_name"], "check_name must be at most 100 characters long"],
    ["on: 5\n", ["on"], "on must be a mapping of keys to values, not 5"],
    ["on:\n", ["on"], "on is empty: it must be a mapping of keys to values, or be left out"],
    ["on:\n  push: [main]\n", ["on", "push"], "on.push must be a mapping of keys to values, not a list"],
    ["on:\n  push:\n", ["on", "push"], "on.push is empty: it must be a mapping of keys to values, or be left out"],
    ["on:\n  push:\n    branches: main\n", ["on", "push", "branches"], 'on.push.branches must be a list, not the string "main": write ["main"]'],
    ["on:\n  push:\n    branches: [1]\n", ["on", "push", "branches", 0], "on.push.branches[0] must be a string, not 1"],
    ["on:\n  push:\n    branches: [main, '']\n", ["on", "push", "branches", 1], "on.push.branches[1]: a glob cannot be empty"],
    ["on:\n  push:\n    tags: {v: 1}\n", ["on", "push", "tags"], "on.push.tags must be a list, not a mapping"],
    ["on:\n  pull_request: all\n", ["on", "pull_request"], 'on.pull_request must be a mapping of keys to values, not the string "all"'],
    ["on:\n  pull_request:\n    branches: 5\n", ["on", "pull_request", "branches"], "on.pull_request.branches must be a list, not 5"],
    ["on:\n  paths: src\n", ["on", "paths"], 'on.paths must be a list, not the string "src": write ["src"]'],
    ["on:\n  paths_ignore: [[a]]\n", ["on", "paths_ignore", 0], "on.paths_ignore[0] must be a string, not a list"],
    ["cancel_in_progress: 'true'\n", ["cancel_in_progress"], 'cancel_in_progress must be true or false, not the string "true"'],
    ["deployment: yes\n", ["deployment"], 'deployment must be true or false, not the string "yes"'],
    ["deployment: preview\n", ["deployment"], 'deployment must be true or false, not the string "preview"'],
    ["deployment: 1\n", ["deployment"], "deployment must be true or false, not 1"],
    ["forks: sometimes\n", ["forks"], 'forks must be one of "require-approval", "build", "ignore", not the string "sometimes"'],
    ["forks: 1\n", ["forks"], 'forks must be one of "require-approval", "build", "ignore", not 1'],
    ["log_lines: lots\n", ["log_lines"], 'log_lines must be a number, not the string "lots"'],
    ["log_lines: 0\n", ["log_lines"], "log_lines must be at least 1, not 0"],
    ["log_lines: 501\n", ["log_lines"], "log_lines must be at most 500, not 501"],
    ["log_lines: 1.5\n", ["log_lines"], "log_lines must be a whole number, not 1.5"],
    ["timeout_minutes: 4\n", ["timeout_minutes"], "timeout_minutes must be at least 5, not 4"],
    ["timeout_minutes: 481\n", ["timeout_minutes"], "timeout_minutes must be at most 480, not 481"],
    ["timeout_minutes: '60'\n", ["timeout_minutes"], 'timeout_minutes must be a number, not the string "60"'],
    ["env: [A]\n", ["env"], "env must be a mapping of variable names to values, not a list"],
    ["env: A=1\n", ["env"], 'env must be a mapping of variable names to values, not the string "A=1"'],
    ["env:\n  A: [1]\n", ["env", "A"], "env.A must be a string, a number or true or false, not a list"],
    ["env:\n  A: {b: 1}\n", ["env", "A"], "env.A must be a string, a number or true or false, not a mapping"],
    ["env:\n  A:\n", ["env", "A"], 'env.A is empty: write A: "" for an empty value'],
    ["environments: [production]\n", ["environments"], "environments must be a mapping of keys to values, not a list"],
    ["environments:\n  production: 5\n", ["environments", "production"], "environments.production must be a mapping of keys to values, not 5"],
    [
      "environments:\n  preview:\n    env: x\n",
      ["environments", "preview", "env"],
      'environments.preview.env must be a mapping of variable names to values, not the string "x"',
    ],
    [
      "environments:\n  preview:\n    env:\n      A: [x]\n",
      ["environments", "preview", "env", "A"],
      "environments.preview.env.A must be a string, a number or true or false, not a list",
    ],
  ])("%j", (raw, path, message) => {
    expect(problemsOf(parseRaw(raw))).toEqual([expect.objectContaining({ path, message, line: expect.any(Number) })]);
  });

  test("every problem of a file is reported, in the order of its lines", () => {
    const problems = problemsOf(parseRaw("log_lines: 0\nforks: x\ncheck_name: ''\n"));
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3]);
  });

  test("a long value is quoted cut short", () => {
    const [problem] = problemsOf(parseRaw(`forks: ${"x".repeat(500)}\n`));
    expect(problem?.message).toContain(`"${"x".repeat(80)}…"`);
    expect(problem?.message.length).toBeLessThan(200);
  });
});

describe("unknown keys, at every level", () => {
  const top = "project, buildspec, check_name, on, cancel_in_progress, forks, log_lines, timeout_minutes, deployment, env, environments";
  test.each<[string, ConfigPath, string]>([
    ["unknown: 1\n", ["unknown"], `unknown key "unknown" at the top level: the allowed keys are ${top}`],
    ["checkName: CI\n", ["checkName"], `unknown key "checkName" at the top level: the allowed keys are ${top}`],
    ["log-lines: 5\n", ["log-lines"], `unknown key "log-lines" at the top level: did you mean log_lines? the allowed keys are ${top}`],
    [
      "on:\n  pull-request: {}\n",
      ["on", "pull-request"],
      'unknown key "pull-request" in on: did you mean pull_request? the allowed keys are push, pull_request, paths, paths_ignore',
    ],
    ["on:\n  push:\n    paths: [a]\n", ["on", "push", "paths"], 'unknown key "paths" in on.push: the allowed keys are branches, tags'],
    ["on:\n  pull_request:\n    types: [opened]\n", ["on", "pull_request", "types"], 'unknown key "types" in on.pull_request: the allowed keys are branches'],
    ["environments:\n  staging: {}\n", ["environments", "staging"], 'unknown key "staging" in environments: the allowed keys are production, preview'],
    [
      "environments:\n  production:\n    vars: {}\n",
      ["environments", "production", "vars"],
      'unknown key "vars" in environments.production: the allowed keys are env',
    ],
    [
      "environments:\n  preview:\n    secrets: {}\n",
      ["environments", "preview", "secrets"],
      'unknown key "secrets" in environments.preview: the allowed keys are env',
    ],
    ["'<<': 1\n", ["<<"], `unknown key "<<" at the top level: the allowed keys are ${top}`],
  ])("%j", (raw, path, message) => {
    const problems = problemsOf(parseRaw(raw));
    expect(problems).toEqual([expect.objectContaining({ path, message })]);
    // The annotation goes on the unknown key itself.
    const key = String(path[path.length - 1]);
    const line = raw.split("\n")[(problems[0]?.line ?? 0) - 1] ?? "";
    expect(line.slice((problems[0]?.column ?? 0) - 1)).toMatch(new RegExp(`^'?${key.replace(/[<]/g, "\\$&")}`));
  });

  test("two unknown keys in one mapping are two problems", () => {
    expect(problemsOf(parseRaw("a: 1\nb: 2\n")).map((p) => p.path)).toEqual([["a"], ["b"]]);
  });
});

describe("buildspec", () => {
  test.each<[string, string]>([
    ["../x", "buildspec cannot contain .."],
    ["ci/../../x.yml", "buildspec cannot contain .."],
    ["/abs/buildspec.yml", "buildspec must be a relative path, not start with /"],
    ["arn:aws:s3:::bucket/key", "buildspec cannot be an ARN"],
    ["ARN:aws:s3:::bucket/key", "buildspec cannot be an ARN"],
    ["builtin:Bad_Name", "buildspec: builtin buildspecs are named builtin:<name> with <name> of [a-z0-9-]+"],
    ["builtin:", "buildspec: builtin buildspecs are named builtin:<name> with <name> of [a-z0-9-]+"],
  ])("%j is refused", (buildspec, message) => {
    expect(problemsOf(parseRaw(`buildspec: ${JSON.stringify(buildspec)}\n`))).toEqual([
      expect.objectContaining({ path: ["buildspec"], message, line: 1, column: 12 }),
    ]);
  });

  test("inline YAML (a value with a line break) is refused", () => {
    const raw = "buildspec: |\n  version: 0.2\n  phases:\n    build:\n      commands: [make]\n";
    expect(problemsOf(parseRaw(raw))).toEqual([
      expect.objectContaining({ path: ["buildspec"], message: "buildspec must be one line: a path or builtin:<name>", line: 1, endLine: 5 }),
    ]);
  });

  test.each(["builtin:nextjs-build", "builtin:node20", "ci/buildspec.yml", "buildspec.yml", "a..b/buildspec.yml"])("%j is accepted", (buildspec) => {
    expect(configOf(parseRaw(`buildspec: ${buildspec}\n`)).buildspec).toBe(buildspec);
  });
});

describe("variable names and values", () => {
  const where: [string, (body: string) => string, ConfigPath][] = [
    ["env", (body) => `env:\n  ${body}\n`, ["env"]],
    ["environments.production.env", (body) => `environments:\n  production:\n    env:\n      ${body}\n`, ["environments", "production", "env"]],
    ["environments.preview.env", (body) => `environments:\n  preview:\n    env:\n      ${body}\n`, ["environments", "preview", "env"]],
  ];
  const names: [string, string][] = [
    ["CODEBUILD_BUILD_ID", "CODEBUILD_BUILD_ID is reserved: names starting with CODEBUILD_ belong to CodeBuild"],
    ["CODEBUILD_", "CODEBUILD_ is reserved: names starting with CODEBUILD_ belong to CodeBuild"],
    ["PROJECT_ID", "PROJECT_ID is reserved: the app sets it on every build"],
    ["COMMIT_SHA", "COMMIT_SHA is reserved: the app sets it on every build"],
    ["DEPLOYMENT_ID", "DEPLOYMENT_ID is reserved: the app sets it on every build"],
    ["lower", '"lower" is not a valid variable name: use capital letters, digits and _, not starting with a digit'],
    ["1ABC", '"1ABC" is not a valid variable name: use capital letters, digits and _, not starting with a digit'],
    ["A-B", '"A-B" is not a valid variable name: use capital letters, digits and _, not starting with a digit'],
    ["'A B'", '"A B" is not a valid variable name: use capital letters, digits and _, not starting with a digit'],
  ];
  const cases = where.flatMap(([label, wrap, mapPath]) => names.map(([name, reason]) => [label, name, wrap(`${name}: x`), mapPath, reason] as const));

  test.each(cases)("%s: %s is refused on its key", (_label, name, raw, mapPath, reason) => {
    const problems = problemsOf(parseRaw(raw));
    const key = name.replace(/'/g, "");
    expect(problems).toEqual([expect.objectContaining({ path: [...mapPath, key], message: `${describePath(mapPath)}: ${reason}` })]);
    const line = raw.split("\n")[(problems[0]?.line ?? 0) - 1] ?? "";
    expect(line.slice((problems[0]?.column ?? 0) - 1).startsWith(`${name}:`)).toBe(true);
  });

  test.each(where)("%s: a value over 16 KiB is refused", (_label, wrap, mapPath) => {
    const problems = problemsOf(parseRaw(wrap(`BIG: ${"é".repeat(8193)}`)));
    expect(problems).toEqual([
      expect.objectContaining({
        path: [...mapPath, "BIG"],
        message: `${describePath(mapPath)}: BIG is 16386 bytes long; a value may be at most 16384 bytes (16 KiB)`,
      }),
    ]);
  });

  test("a value of exactly 16 KiB is accepted", () => {
    expect(configOf(parseRaw(`env:\n  BIG: ${"x".repeat(16384)}\n`)).env["BIG"]).toHaveLength(16384);
  });
});

describe("project policy: a file may name only the projects of its repository's rule", () => {
  test.each<[string, ProjectPolicy, boolean]>([
    ["app-default", policy, true],
    ["team-web", policy, true],
    ["team-", policy, false],
    ["team-*", policy, false],
    ["TEAM-WEB", policy, false],
    ["other", policy, false],
    ["app-default-2", policy, false],
    ["anything", { projects: [] }, false],
  ])("project %j with %j: allowed %s", (project, projectPolicy, allowed) => {
    const result = parseRaw(`project: ${project}\n`, projectPolicy);
    if (allowed) {
      expect(configOf(result).project).toBe(project);
    } else {
      const [problem] = problemsOf(result);
      expect(problem).toMatchObject({ path: ["project"], line: 1, column: 10 });
      expect(problem?.message).toMatch(new RegExp(`^project "${project.replace("*", "\\*")}" is not one of this repository's projects: `));
      expect(problem?.message).toMatch(/The app's operator decides which projects each repository may use \(CODEBUILD_PROJECTS\)$/);
    }
  });

  test.each<[string, ProjectPolicy, string]>([
    ["several projects", policy, 'this repository may use only "app-default" or "team-web" (leave project out for "app-default")'],
    ["one project", { projects: ["app-default"] }, 'this repository may use only "app-default".'],
    ["none", { projects: [] }, "no CodeBuild project is mapped to this repository."],
  ])("the message names the projects the repository may use: %s", (_name, projectPolicy, words) => {
    expect(problemsOf(parseRaw("project: other\n", projectPolicy))[0]?.message).toContain(words);
  });

  test("the first project is the default of a file that names none", () => {
    expect(configOf(parseRaw("", { projects: ["ops", "ops-large"] })).project).toBe("ops");
  });

  test("a project named by a file the repository extends is refused without being quoted", () => {
    const [problem] = problemsOf(parseRepoConfig({ raw: "_extends: .github\n", merged: { project: "other-teams-project" } }, policy));
    expect(problem).toEqual({
      path: ["project"],
      message: expect.stringMatching(/^project \(a value that is not shown\) is not one of this repository's projects/),
    });
    expect(problem?.message).not.toContain("other-teams-project");
  });
});

describe("YAML syntax", () => {
  test.each<[string, string, { line: number; column: number; message: string }[]]>([
    [
      "a duplicate key",
      "check_name: a\nlog_lines: 5\ncheck_name: b\n",
      [{ line: 3, column: 1, message: 'duplicate key "check_name": a key may appear only once in a mapping' }],
    ],
    [
      "a nested duplicate key",
      "env:\n  A: 1\n  B: 2\n  A: 3\n",
      [{ line: 4, column: 3, message: 'duplicate key "A": a key may appear only once in a mapping' }],
    ],
    ["a tab as indentation", "env:\n\tA: 1\n", [{ line: 2, column: 1, message: "YAML syntax error: Tabs are not allowed as indentation" }]],
    [
      "two documents",
      "log_lines: 1\n---\nlog_lines: 2\n",
      [{ line: 2, column: 1, message: "YAML syntax error: Source contains multiple documents; please use YAML.parseAllDocuments()" }],
    ],
    [
      "an implicit key over two lines",
      "log_lines: 1\nforks\n  build: x\n",
      [{ line: 2, column: 1, message: expect.stringMatching(/^YAML syntax error: /) as unknown as string }],
    ],
  ])("%s", (_name, raw, expected) => {
    const problems = problemsOf(parseRaw(raw));
    expect(problems).toEqual(expected.map((e) => expect.objectContaining({ ...e, path: [] })));
  });

  test("every syntax error of a file is reported with its own line", () => {
    const problems = problemsOf(parseRaw(fixture("syntax-errors.yml")));
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [3, 'duplicate key "check_name": a key may appear only once in a mapping'],
      [7, "YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]"],
      [8, "YAML syntax error: Tabs are not allowed as indentation"],
    ]);
  });

  test("syntax errors come alone: the schema is not checked on a broken file", () => {
    expect(problemsOf(parseRaw("log_lines: lots\nlog_lines: 0\n"))).toHaveLength(1);
  });

  test.each<[string, string, string]>([
    ["a list", "- project: x\n", "the file must be a mapping of keys to values (such as project: and on:), not a list"],
    ["a string", "project\n", 'the file must be a mapping of keys to values (such as project: and on:), not the string "project"'],
    ["a number", "5\n", "the file must be a mapping of keys to values (such as project: and on:), not 5"],
    ["false", "false\n", "the file must be a mapping of keys to values (such as project: and on:), not false"],
  ])("a top level that is %s is a problem on line 1", (_name, raw, message) => {
    expect(problemsOf(parseRaw(raw))).toEqual([expect.objectContaining({ path: [], message, line: 1, column: 1 })]);
  });

  test("a top-level list is refused even when the config plugin made an object of it", () => {
    expect(problemsOf(parseRepoConfig({ raw: "- a\n- b\n", merged: { 0: "a", 1: "b" } }, policy))[0]?.message).toMatch(/not a list$/);
  });
});

describe("lines and columns point at the offending text", () => {
  const text = fixture("invalid.yml");
  const lines = text.split("\n");
  const problems = problemsOf(parseRaw(text));

  test.each<[ConfigPath, string]>([
    [["project"], "not-allowed"],
    [["buildspec"], "../outside.yml"],
    [["check_name"], '""'],
    [["on", "push", "branches"], "main"],
    [["on", "push", "paths"], "paths"],
    [["on", "pull_request", "branches", 0], "1"],
    [["cancel_in_progress"], '"yes"'],
    [["forks"], "sometimes"],
    [["log_lines"], "9000"],
    [["timeout_minutes"], "2"],
    [["env", "bad-name"], "bad-name"],
    [["env", "CODEBUILD_TOKEN"], "CODEBUILD_TOKEN"],
    [["env", "LIST"], "[1, 2]"],
    [["environments", "staging"], "staging"],
    [["environments", "preview", "env", "PR_NUMBER"], "PR_NUMBER"],
    [["unknown"], "unknown"],
  ])("%j → %j", (path, token) => {
    const problem = problems.find((p) => JSON.stringify(p.path) === JSON.stringify(path));
    expect(problem).toBeDefined();
    const { line = 0, column = 0, endLine, endColumn = 0 } = problem ?? {};
    expect(lines[line - 1]?.slice(column - 1, endColumn)).toBe(token);
    expect(endLine).toBe(line);
  });

  test("the fixture has exactly those problems, sorted by line", () => {
    expect(problems).toHaveLength(16);
    const found = problems.map((p) => p.line ?? 0);
    expect(found).toEqual([...found].sort((a, b) => a - b));
  });

  test("a block value spans its lines, without the blank lines after it", () => {
    const [problem] = problemsOf(parseRaw("on:\n  push:\n    branches: [main]\n  bad: 1\n\n\n"));
    expect(problem).toMatchObject({ path: ["on", "bad"], line: 4, column: 3, endLine: 4, endColumn: 5 });
    const [block] = problemsOf(parseRaw("environments:\n  - production\n  - preview\n\n# end\n"));
    expect(block).toMatchObject({ path: ["environments"], line: 2, column: 3, endLine: 3 });
  });

  test("an empty value is located on its key", () => {
    expect(problemsOf(parseRaw("log_lines: 5\non:\n"))[0]).toMatchObject({ path: ["on"], line: 2, column: 1, endColumn: 2 });
  });

  test("through an alias: at the alias for its value, in the anchored node for what is inside it", () => {
    const raw = "env: &e\n  A: 1\nenvironments:\n  preview: *e\n  production: *e\n";
    expect(problemsOf(parseRaw(raw))).toEqual([
      expect.objectContaining({ path: ["environments", "production", "A"], line: 2, column: 3 }),
      expect.objectContaining({ path: ["environments", "preview", "A"], line: 2, column: 3 }),
    ]);
    expect(problemsOf(parseRaw("x: &n 5\nlog_lines: *n\nforks: *n\n"))[1]).toMatchObject({ path: ["forks"], line: 3, column: 8 });
  });
});

describe("the merged object of the config plugin", () => {
  const raw = "_extends: octo/.github\nlog_lines: lots\ncheck_name: Build\n";
  const merged = { log_lines: "lots", check_name: "Build", forks: "sometimes", env: { CODEBUILD_X: "1" } };

  test("is what gets validated; lines only for keys of the repository's own file", () => {
    expect(problemsOf(parseRepoConfig({ raw, merged }, policy))).toEqual([
      { path: ["log_lines"], message: 'log_lines must be a number, not the string "lots"', line: 2, column: 12, endLine: 2, endColumn: 15 },
      { path: ["forks"], message: 'forks must be one of "require-approval", "build", "ignore", not a string (set in a configuration this repository extends)' },
      {
        path: ["env", "CODEBUILD_X"],
        message: "env: CODEBUILD_X is reserved: names starting with CODEBUILD_ belong to CodeBuild (set in a configuration this repository extends)",
      },
    ]);
  });

  test("values from a base are applied over the defaults", () => {
    const config = configOf(parseRepoConfig({ raw: "_extends: .github\n", merged: { forks: "ignore", project: "team-web" } }, policy));
    expect(config).toMatchObject({ forks: "ignore", project: "team-web", log_lines: 50 });
  });

  test("_extends is not a config key", () => {
    expect(configOf(parseRepoConfig({ raw: null, merged: { _extends: "other", log_lines: 3 } }, policy)).log_lines).toBe(3);
    expect(configOf(parseRaw("_extends: other\nlog_lines: 3\n"))).not.toHaveProperty("_extends");
  });

  test("an _extends that is not a string is a problem on its line", () => {
    expect(problemsOf(parseRaw("log_lines: 3\n_extends: [a, b]\n"))).toEqual([
      expect.objectContaining({
        path: ["_extends"],
        line: 2,
        message: "_extends must name the base configuration as a string (repo, owner/repo or owner/repo:path.yml), not a list",
      }),
    ]);
  });

  test("from the owner's .github repository alone (no file here): no lines", () => {
    expect(problemsOf(parseRepoConfig({ raw: null, merged: { log_lines: 0 } }, policy))).toEqual([
      { path: ["log_lines"], message: "log_lines must be at least 1 (set in a configuration this repository extends)" },
    ]);
  });

  test.each<[string, string | null, Record<string, unknown>, string[]]>([
    ["a string", "_extends: .github\n", { buildspec: "arn:aws:s3:::private-bucket/spec.yml" }, ["private-bucket", "arn:aws"]],
    ["a list hint", null, { on: { push: { branches: "release-private-name" } } }, ["release-private-name"]],
    ["a number", null, { timeout_minutes: 4242 }, ["4242"]],
    ["an enum", null, { forks: "private-words" }, ["private-words"]],
    ["a union", "_extends: .github\n", { env: { A: { nested: "secret-ish" } } }, ["secret-ish"]],
  ])("a value from a base is never quoted: %s", (_name, raw, merged, hidden) => {
    const problems = problemsOf(parseRepoConfig({ raw, merged }, policy));
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      for (const text of hidden) expect(problem.message).not.toContain(text);
      expect(problem.line).toBeUndefined();
    }
  });

  test("a list the base and the file both set is merged: the base's items are not quoted, nor placed on the file's lines", () => {
    const raw = "on:\n  push:\n    branches: [main]\n";
    const merged = { on: { push: { branches: [{ from: "base-private" }, "main"] } } };
    const problems = problemsOf(parseRepoConfig({ raw, merged }, policy));
    expect(problems).toEqual([
      { path: ["on", "push", "branches", 0], message: "on.push.branches[0] must be a string, not a mapping (set in a configuration this repository extends)" },
    ]);
  });

  test("a value the file sets itself is quoted and placed, even with a base", () => {
    const problems = problemsOf(parseRepoConfig({ raw: "_extends: .github\nforks: sometimes\n", merged: { forks: "sometimes", log_lines: 5 } }, policy));
    expect(problems).toEqual([expect.objectContaining({ path: ["forks"], line: 2, message: expect.stringContaining('not the string "sometimes"') })]);
  });
});

describe("describePath", () => {
  test.each<[ConfigPath, string]>([
    [[], "the file"],
    [["on", "push", "branches", 0], "on.push.branches[0]"],
    [["env", "A_B"], "env.A_B"],
    [["env", "a b"], 'env["a b"]'],
    [["pull-request"], "pull-request"],
  ])("%j → %s", (path, text) => {
    expect(describePath(path)).toBe(text);
  });
});
