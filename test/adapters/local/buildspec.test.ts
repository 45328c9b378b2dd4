import { readFileSync } from "node:fs";
import { describeBuildspecProblems, IGNORED_BUILDSPEC_KEYS, parseBuildspec, type Buildspec } from "../../../src/adapters/local/buildspec.js";

const EMPTY_PHASE = { commands: [], finally: [], onFailure: "ABORT" };

function parsed(text: string): Buildspec {
  const result = parseBuildspec(text);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.buildspec;
}

describe("parseBuildspec", () => {
  test.each(["node", "nextjs-build"])("the builtin %s parses, its runtime-versions, cache and artifacts ignored", (name) => {
    const spec = parsed(readFileSync(new URL(`../../../buildspecs/${name}.yml`, import.meta.url), "utf8"));
    expect(spec.variables.COREPACK_ENABLE_DOWNLOAD_PROMPT).toBe("0");
    expect(spec.phases.install.commands).toHaveLength(2);
    expect(spec.phases.build.commands[0]).toMatch(/^if node -e/);
  });

  test("every phase, with commands, finally and on-failure; phases left out have no commands", () => {
    const spec = parsed(
      [
        "version: 0.2",
        "env:",
        "  shell: bash",
        "  variables:",
        "    NUMBER: 1.10",
        "    FLAG: yes",
        "    EMPTY:",
        "phases:",
        "  pre_build:",
        "    on-failure: CONTINUE",
        "    commands:",
        "      - true",
        "      - |",
        "        echo one",
        "        echo two",
        "    finally:",
        "      - echo cleanup",
        "",
      ].join("\n"),
    );
    expect(spec).toEqual({
      // Values as written: YAML's failsafe schema keeps 1.10 and yes as text.
      variables: { NUMBER: "1.10", FLAG: "yes", EMPTY: "" },
      exportedVariables: [],
      phases: {
        install: EMPTY_PHASE,
        pre_build: { commands: ["true", "echo one\necho two\n"], finally: ["echo cleanup"], onFailure: "CONTINUE" },
        build: EMPTY_PHASE,
        post_build: EMPTY_PHASE,
      },
    });
  });

  test.each([
    [
      "the harmless keys of CodeBuild",
      "proxy:\n  logs: yes\nbatch:\n  fast-fail: true\nreports:\n  r:\n    files: [a]\nartifacts:\n  files: [a]\ncache:\n  paths: [a]\n",
    ],
    ["env's git-credential-helper", "env:\n  git-credential-helper: yes\n"],
    ["an empty env", "env:\n"],
  ])("%s are accepted and ignored", (_case, extra) => {
    expect(parsed(`version: 0.2\n${extra}phases:\n  build:\n    commands: [make]\n`).phases.build.commands).toEqual(["make"]);
  });

  test("env's exported-variables are the names the build reports at its end, each once", () => {
    expect(
      parsed("version: 0.2\nenv:\n  exported-variables:\n    - DEPLOY_URL\n    - other_1\n    - DEPLOY_URL\nphases:\n  build:\n    commands: [make]\n")
        .exportedVariables,
    ).toEqual(["DEPLOY_URL", "other_1"]);
  });

  test.each([
    [
      "a name the shell cannot read",
      '  exported-variables: ["DEPLOY URL"]\n',
      "env.exported-variables.0: each entry must be a variable name (letters, digits and _, not starting with a digit)",
    ],
    [
      "shell code",
      '  exported-variables: ["$(id)"]\n',
      "env.exported-variables.0: each entry must be a variable name (letters, digits and _, not starting with a digit)",
    ],
    ["one name, not a list", "  exported-variables: DEPLOY_URL\n", "env.exported-variables: must be a list of variable names"],
  ])("exported-variables with %s are refused", (_case, entry, message) => {
    expect(parseBuildspec(`version: 0.2\nenv:\n${entry}phases:\n  build:\n    commands: [make]\n`)).toEqual({ ok: false, problems: [{ line: 3, message }] });
  });

  test("the ignored keys are listed for the README", () => {
    expect(IGNORED_BUILDSPEC_KEYS).toEqual(expect.arrayContaining(["artifacts", "cache", "reports", "phases.<phase>.runtime-versions"]));
  });

  test.each([
    [
      "version 0.1",
      "version: 0.1\nphases:\n  build:\n    commands: [make]\n",
      [{ line: 1, message: "version: must be 0.2: the local runner runs version 0.2 buildspecs only (every command in one shell)" }],
    ],
    ["no version", "phases:\n  build:\n    commands: [make]\n", [{ line: 1, message: "version: is missing: write version: 0.2" }]],
    ["no phases", "version: 0.2\n", [{ line: 1, message: "phases: is missing: a buildspec needs phases: with commands" }]],
    [
      "an unknown phase",
      "version: 0.2\nphases:\n  test:\n    commands: [make]\n",
      [{ line: 3, message: 'unknown key "test" in phases: the phases are install, pre_build, build and post_build' }],
    ],
    ["an unknown key in a phase", "version: 0.2\nphases:\n  build:\n    command: [make]\n", [{ line: 4, message: 'unknown key "command" in phases.build' }]],
    [
      "commands as one text",
      "version: 0.2\nphases:\n  build:\n    commands: make\n",
      [{ line: 4, message: "phases.build.commands: must be a list of commands" }],
    ],
    [
      "a command that YAML reads as a mapping",
      "version: 0.2\nphases:\n  build:\n    commands:\n      - echo a: b\n",
      [{ line: 5, message: 'phases.build.commands.0: each command must be text: quote a command that contains ": "' }],
    ],
    [
      "a retrying on-failure",
      "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-3\n    commands: [make]\n",
      [{ line: 4, message: "phases.build.on-failure: must be ABORT or CONTINUE: the local runner does not retry phases" }],
    ],
    [
      "another shell",
      "version: 0.2\nenv:\n  shell: pwsh\nphases:\n  build:\n    commands: [make]\n",
      [{ line: 3, message: "env.shell: must be bash or sh: the local runner runs every build with bash" }],
    ],
    [
      "secrets from Secrets Manager",
      "version: 0.2\nenv:\n  secrets-manager:\n    TOKEN: my-secret\nphases:\n  build:\n    commands: [make]\n",
      [
        {
          line: 3,
          message: "env.secrets-manager: is not supported by the local runner: store the secret with /secret set, and the build gets it as a variable",
        },
      ],
    ],
    [
      "run-as",
      "version: 0.2\nrun-as: builder\nphases:\n  build:\n    commands: [make]\n",
      [{ line: 2, message: "run-as: is not supported by the local runner: builds run as the runner's build user" }],
    ],
    [
      "a variable that is a list",
      "version: 0.2\nenv:\n  variables:\n    A: [1]\nphases:\n  build:\n    commands: [make]\n",
      [{ line: 4, message: "env.variables.A: must be text" }],
    ],
    ["a YAML syntax error", "version: 0.2\nphases: [\n  build\n", [{ line: 4, message: expect.stringMatching(/^YAML syntax error: /) }]],
    [
      "a duplicate key",
      "version: 0.2\nversion: 0.2\nphases:\n  build:\n    commands: [make]\n",
      [{ line: 2, message: expect.stringMatching(/^YAML syntax error: Map keys must be unique/) }],
    ],
    ["a list", "- make\n", [{ line: 1, message: "the buildspec must be a mapping (version:, env:, phases:)" }]],
    ["nothing", "# only a comment\n", [{ message: "the buildspec is empty: it needs version: 0.2 and phases:" }]],
  ])("%s is refused, with the line", (_case, text, problems) => {
    expect(parseBuildspec(text)).toEqual({ ok: false, problems });
  });

  test("problems become phase messages naming the buildspec and the line", () => {
    expect(describeBuildspecProblems([{ message: "phases: is missing", line: 3 }, { message: "the buildspec is empty" }], "buildspec ci/build.yml")).toEqual([
      "YAML_FILE_ERROR: buildspec ci/build.yml, line 3: phases: is missing",
      "YAML_FILE_ERROR: buildspec ci/build.yml: the buildspec is empty",
    ]);
  });
});
