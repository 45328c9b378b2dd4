import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { buildScript, containerLine, parseScriptRecord, SCRIPT_CHANNEL_FD } from "../../../src/adapters/local/build-script.js";
import type { Buildspec, BuildspecPhase } from "../../../src/adapters/local/buildspec.js";
import { sourceRootsFromLog } from "../../../src/checks/annotations/repository-path.js";
import { temporaryDirectory } from "./local-build-fixtures.js";

const phase = (commands: string[], more: Partial<BuildspecPhase> = {}): BuildspecPhase => ({ commands, finally: [], onFailure: "ABORT", ...more });
const spec = (phases: Partial<Buildspec["phases"]>, exportedVariables: string[] = []): Buildspec => ({
  variables: {},
  exportedVariables,
  phases: { install: phase([]), pre_build: phase([]), build: phase([]), post_build: phase([]), ...phases },
});

/** Runs a generated script as the runner does: output and side channel apart. */
async function runScript(buildspec: Buildspec): Promise<{ output: string[]; records: string[] }> {
  const file = join(await temporaryDirectory(), "buildspec.sh");
  await writeFile(file, buildScript(buildspec));
  const shell = spawn("bash", ["--noprofile", "--norc", file], { stdio: ["ignore", "pipe", "pipe", "pipe"], env: { PATH: process.env.PATH } });
  let output = "";
  let records = "";
  shell.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  (shell.stdio[SCRIPT_CHANNEL_FD] as Readable).on("data", (chunk: Buffer) => (records += chunk.toString()));
  await once(shell, "close");
  return { output: output.replace(/\n$/, "").split("\n"), records: records.replace(/\n$/, "").split("\n") };
}

/** A program the build runs that writes a record to every descriptor it may have inherited: none is the side channel. */
const FORGE_RECORDS = "for fd in $(seq 3 30); do bash -c \"echo 'phase-end BUILD FAILED' >&$fd\" 2>/dev/null; done; true";

describe("buildScript", () => {
  test("commands run verbatim, quotes and expansions included, and the side channel says what ran", async () => {
    const { output, records } = await runScript(spec({ build: phase([`NAME="it's"; echo "$NAME" '$HOME' \\`, "echo to stderr >&2", FORGE_RECORDS]) }));
    const text = output.filter((line) => !line.startsWith("[Container]"));
    expect(text[0]).toBe("it's $HOME \\");
    // stderr joins stdout, in order.
    expect(text[1]).toBe("to stderr");
    expect(records).toEqual([
      ...["INSTALL", "PRE_BUILD"].flatMap((name) => [`phase-start ${name}`, `phase-end ${name} SUCCEEDED`]),
      "phase-start BUILD",
      ...[0, 1, 2].flatMap((index) => [`command c ${index}`, "command-end 0"]),
      "phase-end BUILD SUCCEEDED",
      "phase-start POST_BUILD",
      "phase-end POST_BUILD SUCCEEDED",
      "done",
    ]);
  });

  test("CodeBuild's [Container] lines frame each phase and command, in UTC", async () => {
    const { output } = await runScript(spec({ build: phase(["false"]) }));
    const container = output
      .filter((line) => line.startsWith("[Container]"))
      .map((line) => line.replace(/^\[Container\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} /, ""));
    expect(container.slice(6)).toEqual([
      "Entering phase BUILD",
      "Running command false",
      "Command did not exit successfully false exit status 1",
      "Phase complete: BUILD State: FAILED",
      "Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: false. Reason: exit status 1",
      "Entering phase POST_BUILD",
      "Phase complete: POST_BUILD State: SUCCEEDED",
      "Phase context status code:  Message: ",
    ]);
    const stamp = /^\[Container\] (\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})/.exec(output[0]!)!;
    const now = new Date();
    expect(Number(stamp[1])).toBe(now.getUTCFullYear());
    expect(Number(stamp[4])).toBeGreaterThanOrEqual(now.getUTCHours() - 1);
  });

  test.each([
    ["install", ["PRE_BUILD", "BUILD", "POST_BUILD"], []],
    ["pre_build", ["BUILD", "POST_BUILD"], ["INSTALL"]],
    ["build", [], ["INSTALL", "PRE_BUILD", "POST_BUILD"]],
  ] as const)("a failed %s skips %j (CodeBuild's phase transitions)", async (failing, skipped, succeeded) => {
    const { records } = await runScript(spec({ [failing]: phase(["false"]) }));
    const ended = records.filter((r) => r.startsWith("phase-end"));
    for (const name of skipped) expect(records).not.toContain(`phase-start ${name}`);
    for (const name of succeeded) expect(ended).toContain(`phase-end ${name} SUCCEEDED`);
    expect(records[records.length - 1]).toBe("done");
  });

  test("finally runs after a failure, stops at its own first failure, and on-failure CONTINUE lets later phases run", async () => {
    const { records } = await runScript(
      spec({ install: phase(["false", "echo skipped"], { finally: ["true", "false", "echo skipped"], onFailure: "CONTINUE" }), build: phase(["true"]) }),
    );
    expect(records.slice(0, 9)).toEqual([
      "phase-start INSTALL",
      "command c 0",
      "command-end 1",
      "command f 0",
      "command-end 0",
      "command f 1",
      "command-end 1",
      "phase-end INSTALL FAILED",
      "phase-start PRE_BUILD",
    ]);
    expect(records).toContain("phase-end BUILD SUCCEEDED");
  });
});

describe("exported-variables", () => {
  test("are reported after POST_BUILD with the values the phases left, any text on one line; a variable never set is not", async () => {
    const { records } = await runScript(
      spec({ build: phase(["export DEPLOY_URL='https://pr-1.example.com/?a=1&b=two words'"]), post_build: phase(["EMPTY="]) }, [
        "DEPLOY_URL",
        "EMPTY",
        "NEVER_SET",
      ]),
    );
    const exported = records.filter((r) => r.startsWith("export ")).map((r) => parseScriptRecord(r));
    expect(exported).toEqual([
      { kind: "export", name: "DEPLOY_URL", value: "https://pr-1.example.com/?a=1&b=two words" },
      { kind: "export", name: "EMPTY", value: "" },
    ]);
    expect(records.indexOf("phase-end POST_BUILD SUCCEEDED")).toBeLessThan(records.indexOf(records.find((r) => r.startsWith("export "))!));
    expect(records.at(-1)).toBe("done");
  });

  test("a value with a line break and quotes comes back whole", async () => {
    const { records } = await runScript(spec({ build: phase(["DEPLOY_URL=$'a\\nb \\'c\\' $HOME'"]) }, ["DEPLOY_URL"]));
    expect(parseScriptRecord(records.find((r) => r.startsWith("export "))!)).toEqual({ kind: "export", name: "DEPLOY_URL", value: "a\nb 'c' $HOME" });
  });

  test("are captured even when a phase failed", async () => {
    const { records } = await runScript(spec({ build: phase(["DEPLOY_URL=https://x.example", "false"]) }, ["DEPLOY_URL"]));
    expect(records).toContain("phase-end BUILD FAILED");
    expect(parseScriptRecord(records.find((r) => r.startsWith("export "))!)).toMatchObject({ value: "https://x.example" });
  });
});

describe("parseScriptRecord", () => {
  test.each([
    ["phase-start BUILD", { kind: "phase-start", phase: "BUILD" }],
    ["command c 2", { kind: "command", block: "commands", index: 2 }],
    ["command f 0", { kind: "command", block: "finally", index: 0 }],
    ["command-end 127", { kind: "command-end", status: 127 }],
    ["phase-end PRE_BUILD FAILED", { kind: "phase-end", phase: "PRE_BUILD", status: "FAILED" }],
    ["done", { kind: "done" }],
    [`export DEPLOY_URL ${Buffer.from("https://a.example").toString("base64")}`, { kind: "export", name: "DEPLOY_URL", value: "https://a.example" }],
    ["export EMPTY", { kind: "export", name: "EMPTY", value: "" }],
    ["export 1BAD aGk=", undefined],
    ["export A not*base64", undefined],
    [`export A ${"A".repeat(30_000)}`, undefined],
    ["command x 1", undefined],
    ["command-end -1", undefined],
    ["phase-end BUILD MAYBE", undefined],
    ["hello", undefined],
    ["", undefined],
  ])("%j", (line, record) => {
    expect(parseScriptRecord(line)).toEqual(record);
  });
});

test("containerLine writes CodeBuild's agent lines, which announce the checkout to the annotations", () => {
  const line = containerLine(new Date("2025-11-25T14:20:02.641Z"), "CODEBUILD_SRC_DIR=/tmp/codebuild-checks-x/src");
  expect(line).toBe("[Container] 2025/11/25 14:20:02.641000 CODEBUILD_SRC_DIR=/tmp/codebuild-checks-x/src");
  expect(sourceRootsFromLog([line])).toEqual(["/tmp/codebuild-checks-x/src"]);
});
