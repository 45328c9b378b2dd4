import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";

/** The buildspec's phases in the order CodeBuild runs them, with the names builds report. */
export const BUILDSPEC_PHASES = [
  { key: "install", name: "INSTALL" },
  { key: "pre_build", name: "PRE_BUILD" },
  { key: "build", name: "BUILD" },
  { key: "post_build", name: "POST_BUILD" },
] as const;

export type BuildspecPhaseKey = (typeof BUILDSPEC_PHASES)[number]["key"];

export interface BuildspecPhase {
  commands: string[];
  finally: string[];
  /** CONTINUE: a failure of this phase does not skip the phases after it. */
  onFailure: "ABORT" | "CONTINUE";
}

/** What the local runner takes from a buildspec. */
export interface Buildspec {
  /** `env.variables`, the build's own variables override them. */
  variables: Record<string, string>;
  /** `env.exported-variables`: names whose values the build reports at its end (DEPLOY_URL). */
  exportedVariables: string[];
  phases: Record<BuildspecPhaseKey, BuildspecPhase>;
}

/** One thing wrong with a buildspec; `line` is 1-based where the problem has a place in the file. */
export interface BuildspecProblem {
  message: string;
  line?: number;
}

export type BuildspecResult = { ok: true; buildspec: Buildspec } | { ok: false; problems: BuildspecProblem[] };

/**
 * CodeBuild keys the local runner accepts and ignores: they tune CodeBuild's machine, cache,
 * artifacts and reports, which do not exist here, and leaving them out changes no command's result.
 */
export const IGNORED_BUILDSPEC_KEYS = [
  "proxy",
  "batch",
  "artifacts",
  "cache",
  "reports",
  "env.git-credential-helper",
  "phases.<phase>.runtime-versions",
] as const;

const ignored = z.unknown().optional();

/** A shell variable's name: what `exported-variables` may list (the build script reads each by name). */
const EXPORTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A key that changes what commands see, which the local runner cannot do: refused, with why. */
const unsupported = (why: string) => z.undefined({ error: why }).optional();

/** The buildspec is read with YAML's failsafe schema (every scalar is text), where an empty value is "". */
const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);

const commandList = z.preprocess(
  emptyToUndefined,
  z.array(z.string({ error: 'each command must be text: quote a command that contains ": "' }), { error: "must be a list of commands" }).optional(),
);

const phaseSchema = z.preprocess(
  emptyToUndefined,
  z
    .strictObject(
      {
        "run-as": unsupported("is not supported by the local runner: every command of a build runs as the same user"),
        "on-failure": z.enum(["ABORT", "CONTINUE"], { error: "must be ABORT or CONTINUE: the local runner does not retry phases" }).optional(),
        "runtime-versions": ignored,
        commands: commandList,
        finally: commandList,
      },
      { error: "must be a mapping with commands:" },
    )
    .optional(),
);

const buildspecSchema = z.strictObject(
  {
    version: z.literal("0.2", {
      error: (issue) =>
        issue.input === undefined
          ? "is missing: write version: 0.2"
          : "must be 0.2: the local runner runs version 0.2 buildspecs only (every command in one shell)",
    }),
    "run-as": unsupported("is not supported by the local runner: builds run as the runner's build user"),
    env: z.preprocess(
      emptyToUndefined,
      z
        .strictObject(
          {
            shell: z.enum(["bash", "sh", "/bin/sh"], { error: "must be bash or sh: the local runner runs every build with bash" }).optional(),
            variables: z.preprocess(
              emptyToUndefined,
              z.record(z.string(), z.string({ error: "must be text" }), { error: "must be a mapping of names to values" }).optional(),
            ),
            "parameter-store": unsupported(
              "is not supported by the local runner: store the value as a variable or secret of the repository (/env set, /secret set)",
            ),
            "secrets-manager": unsupported("is not supported by the local runner: store the secret with /secret set, and the build gets it as a variable"),
            "exported-variables": z.preprocess(
              emptyToUndefined,
              z
                .array(
                  z
                    .string({ error: "each entry must be a variable name" })
                    .regex(EXPORTED_NAME, "each entry must be a variable name (letters, digits and _, not starting with a digit)"),
                  {
                    error: "must be a list of variable names",
                  },
                )
                .optional(),
            ),
            "git-credential-helper": ignored,
          },
          { error: "must be a mapping" },
        )
        .optional(),
    ),
    proxy: ignored,
    batch: ignored,
    phases: z.strictObject(
      { install: phaseSchema, pre_build: phaseSchema, build: phaseSchema, post_build: phaseSchema },
      { error: (issue) => (issue.input === undefined ? "is missing: a buildspec needs phases: with commands" : "must be a mapping of phases") },
    ),
    artifacts: ignored,
    cache: ignored,
    reports: ignored,
  },
  { error: "the buildspec must be a mapping (version:, env:, phases:)" },
);

type ParsedBuildspec = z.infer<typeof buildspecSchema>;

/** Reads a buildspec as CodeBuild would for the keys the local runner supports; every problem with its line. */
export function parseBuildspec(text: string): BuildspecResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: "failsafe", lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({ message: `YAML syntax error: ${error.message}`, line: lines.linePos(error.pos[0]).line })),
    };
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { ok: false, problems: [{ message: "the buildspec is empty: it needs version: 0.2 and phases:" }] };
  const parsed = buildspecSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => describeIssue(issue, doc, lines));
    return { ok: false, problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
  }
  return { ok: true, buildspec: toBuildspec(parsed.data) };
}

/** The problems as phase messages, each naming the buildspec and the line. */
export function describeBuildspecProblems(problems: BuildspecProblem[], where: string): string[] {
  return problems.map((problem) => `YAML_FILE_ERROR: ${where}${problem.line === undefined ? "" : `, line ${problem.line}`}: ${problem.message}`);
}

function toBuildspec(parsed: ParsedBuildspec): Buildspec {
  const phase = (key: BuildspecPhaseKey): BuildspecPhase => {
    const given = parsed.phases[key];
    return { commands: given?.commands ?? [], finally: given?.finally ?? [], onFailure: given?.["on-failure"] ?? "ABORT" };
  };
  return {
    variables: parsed.env?.variables ?? {},
    exportedVariables: [...new Set(parsed.env?.["exported-variables"] ?? [])],
    phases: { install: phase("install"), pre_build: phase("pre_build"), build: phase("build"), post_build: phase("post_build") },
  };
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): BuildspecProblem[] {
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  if (issue.code === "unrecognized_keys") {
    const hint = path.length === 1 && path[0] === "phases" ? ": the phases are install, pre_build, build and post_build" : "";
    return issue.keys.map((key) => ({
      message: `unknown key "${key}" ${path.length === 0 ? "at the top level" : `in ${path.join(".")}`}${hint}`,
      line: lineOf(doc, lines, [...path, key]),
    }));
  }
  const where = path.length === 0 ? "" : `${path.join(".")}: `;
  return [{ message: `${where}${issue.message}`, line: lineOf(doc, lines, path) }];
}

/** The line of the key (or list item) at `path`, or of the nearest part of it that the file has. */
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = isScalar(node) || isMap(node) || isSeq(node) ? node.range?.[0] : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair || !isScalar(pair.key)) break;
      offset = pair.key.range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (!isScalar(item) && !isMap(item) && !isSeq(item)) break;
      offset = item.range?.[0];
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
