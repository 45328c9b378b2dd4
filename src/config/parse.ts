import { isDeepStrictEqual } from "node:util";
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Scalar } from "yaml";
import { z } from "zod";
import { variableNameProblem, variableValueProblem } from "../domain/variable-names.js";
import { repoConfigSchema, type RepoConfig } from "./schema.js";
import { HIDDEN_VALUES, quote, SHOWN_VALUES, type ValueWords } from "./value-words.js";
import { ENVIRONMENT_NAMES } from "../domain/environment.js";

/*
 * A repository's file is hostile input too (linear time): YAML is parsed by the yaml package without
 * its duplicate-key check (quadratic in the number of keys; duplicateKeys does it in one pass); the
 * regular expressions here (a key fit to write bare, blank characters at a span's end, `-` in a key)
 * read one character class each. Project names are compared as they are, never as patterns.
 */

/** Which CodeBuild projects a repository's file may name (SPEC 1: CODEBUILD_PROJECTS, CODEBUILD_PROJECT). */
export interface ProjectPolicy {
  /** The projects the operator maps the repository to; the first is the project of a file that names none. */
  projects: readonly string[];
}

/** Keys and list indexes from the top of the file down to a value. */
export type ConfigPath = (string | number)[];

/**
 * One thing wrong with `.github/codebuild.yml`, worded for the file's author. Values quoted in the
 * message are JSON string literals. Lines and columns are 1-based and point into the repository's own
 * file; they are absent where the problem lies elsewhere (an `_extends` base, the owner's `.github`).
 */
export interface ConfigProblem {
  message: string;
  path: ConfigPath;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/** A problem before it is placed in the file: on the key itself, or on its value. */
interface Finding {
  message: string;
  path: ConfigPath;
  at: "key" | "value";
}

/** Probot's config plugin removes `_extends` when it merges; a file read on its own still has it. */
export const EXTENDS_KEY = "_extends";

const VARIABLE_MAPS: ConfigPath[] = [["env"], ...ENVIRONMENT_NAMES.map((name) => ["environments", name, "env"])];

/** Said of a problem that lies in another file than the repository's own, whose values are not quoted. */
const ELSEWHERE = " (set in a configuration this repository extends)";

/**
 * Zod prefers a schema's own messages to a per-parse error map; the map marks every issue that the
 * schema left unworded, so that it can be worded here with the key's name and the offending value.
 */
const UNWORDED = "\u0000unworded";

/**
 * Validates a repository's configuration. `raw` is the repository's own file (null without one) and
 * gives the line numbers; `merged` is what Probot's config plugin made of it (`_extends`, the owner's
 * `.github` repository) and is what gets validated when given.
 */
export function parseRepoConfig(input: { raw: string | null; merged?: unknown }, policy: ProjectPolicy): ConfigResult {
  const source = input.raw === null ? null : readSource(input.raw);
  if (source && source.problems.length > 0) return { ok: false, problems: source.problems };
  const value = input.merged !== undefined ? input.merged : source?.value;
  // Only the repository's own values are quoted or placed on a line: a value from a file it extends
  // may come from a repository more private than this one (SPEC 3, Trust domains).
  const own = (path: ConfigPath) =>
    source !== null &&
    valueAt(source.value, path) !== undefined &&
    (input.merged === undefined || isDeepStrictEqual(valueAt(input.merged, path), valueAt(source.value, path)));
  const checked = checkConfig(value ?? {}, policy, (path) => (own(path) ? SHOWN_VALUES : HIDDEN_VALUES));
  if (checked.ok) return checked;
  const problems = checked.findings.map((finding) =>
    own(finding.path) ? locate(finding, source) : { message: `${finding.message}${ELSEWHERE}`, path: finding.path },
  );
  return { ok: false, problems: problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)) };
}

/** The value of `_extends` in a repository's own file; undefined when the file has none or is not valid YAML. */
export function extendsValue(raw: string): unknown {
  const source = readSource(raw);
  return source.problems.length > 0 ? undefined : valueAt(source.value, [EXTENDS_KEY]);
}

/** What is wrong with a configuration file read as values only (one `_extends` leads to), in a user's words. */
export type ConfigFileProblem = "is not valid YAML" | "is not a mapping of keys to values";

/**
 * A configuration file's values, read as the repository's own file is (in linear time, duplicate keys
 * refused); an empty file is an empty mapping, as Probot's config plugin reads it.
 */
export function readConfigValues(text: string): { ok: true; values: Record<string, unknown> } | { ok: false; problem: ConfigFileProblem } {
  const source = readSource(text);
  if (source.value !== null && !isPlainObject(source.value)) return { ok: false, problem: "is not a mapping of keys to values" };
  if (source.problems.length > 0) return { ok: false, problem: "is not valid YAML" };
  return { ok: true, values: (source.value as Record<string, unknown> | null) ?? {} };
}

/** A problem of the repository's own file, placed on the key or value at `path` when the file has it. */
export function placeProblem(raw: string, path: ConfigPath, message: string): ConfigProblem {
  return locate({ message, path, at: "value" }, readSource(raw));
}

interface Source {
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
  problems: ConfigProblem[];
}

function readSource(text: string): Source {
  const lines = new LineCounter();
  // The yaml package's own check for duplicate keys compares each key with every earlier one (quadratic
  // in a file of many keys): keys are checked here instead, in one pass (duplicateKeys).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const source: Source = { text, doc, lines, value: null, problems: [] };
  const syntax = doc.errors.map((error) => ({
    at: error.pos[0],
    problem: { message: `YAML syntax error: ${error.message}`, path: [], ...spanOf(source, error.pos[0], error.pos[1]) },
  }));
  const duplicates = duplicateKeys(doc).map((key) => ({
    at: key.range![0],
    problem: {
      message: `duplicate key ${quote(String(key.value))}: a key may appear only once in a mapping`,
      path: [],
      ...spanOf(source, key.range![0], key.range![1]),
    },
  }));
  source.problems = [...syntax, ...duplicates].sort((a, b) => a.at - b.at).map((found) => found.problem);
  if (source.problems.length > 0) return source;
  try {
    source.value = doc.toJS();
  } catch (error) {
    source.problems.push({ message: `YAML error: ${(error as Error).message}`, path: [] });
    return source;
  }
  // Checked here rather than on `merged`: the config plugin turns a top-level list into an object.
  if (source.value !== null && !isPlainObject(source.value)) {
    const problem = { message: typeMessage([], "object", source.value, SHOWN_VALUES), path: [], at: "value" as const };
    source.problems.push(locate(problem, source));
  }
  return source;
}

/** How a message may show the value at a path. */
type WordsAt = (path: ConfigPath) => ValueWords;

function checkConfig(value: unknown, policy: ProjectPolicy, wordsAt: WordsAt): { ok: true; config: RepoConfig } | { ok: false; findings: Finding[] } {
  const findings: Finding[] = [];
  let candidate = value;
  if (isPlainObject(value) && EXTENDS_KEY in value) {
    const { [EXTENDS_KEY]: base, ...rest } = value;
    if (typeof base !== "string") {
      const actual = wordsAt([EXTENDS_KEY]).describe(base);
      findings.push({
        message: `${EXTENDS_KEY} must name the base configuration as a string (repo, owner/repo or owner/repo:path.yml), not ${actual}`,
        path: [EXTENDS_KEY],
        at: "value",
      });
    }
    candidate = rest;
  }
  const parsed = repoConfigSchema.safeParse(candidate, { error: () => UNWORDED });
  if (!parsed.success) findings.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, candidate, wordsAt)));
  findings.push(...variableFindings(candidate), ...projectFindings(candidate, policy, wordsAt));
  if (!parsed.success || findings.length > 0) return { ok: false, findings };
  return { ok: true, config: { ...parsed.data, project: parsed.data.project ?? policy.projects[0] } };
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, wordsAt: WordsAt): Finding[] {
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  const where = describePath(path);
  const actual = valueAt(input, path);
  const words = wordsAt(path);
  const finding = (message: string): Finding[] => [{ message, path, at: "value" }];
  if (issue.message !== UNWORDED) {
    return finding(issue.message.startsWith(where) ? issue.message : `${where}: ${issue.message}`);
  }
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({ message: unknownKeyMessage(path, key), path: [...path, key], at: "key" }));
    case "invalid_key": {
      // Names in variable maps get variableNameProblem's words from variableFindings.
      const name = path[path.length - 1];
      const covered = typeof name === "string" && isVariableMap(path.slice(0, -1)) && variableNameProblem(name) !== null;
      return covered ? [] : [{ message: `${where} is not an allowed key here`, path, at: "key" }];
    }
    case "invalid_type":
      return finding(typeMessage(path, issue.expected, actual, words));
    case "invalid_union": {
      const expected = issue.errors.flat().flatMap((inner) => (inner.code === "invalid_type" ? [describeExpected(inner.expected)] : []));
      if (actual === null && isVariableMap(path.slice(0, -1))) {
        return finding(`${where} is empty: write ${String(path[path.length - 1])}: "" for an empty value`);
      }
      return finding(`${where} must be ${joinAlternatives(expected)}, not ${words.describe(actual)}`);
    }
    case "invalid_value":
      return finding(`${where} must be one of ${issue.values.map((v) => quote(String(v))).join(", ")}, not ${words.describe(actual)}`);
    case "too_small":
      return finding(
        `${where} must ${boundMessage(issue.origin, issue.inclusive === false ? "more than" : "at least", Number(issue.minimum))}${numberSuffix(issue.origin, actual, words)}`,
      );
    case "too_big":
      return finding(
        `${where} must ${boundMessage(issue.origin, issue.inclusive === false ? "less than" : "at most", Number(issue.maximum))}${numberSuffix(issue.origin, actual, words)}`,
      );
    default:
      return finding(`${where} is not valid here (${issue.code})`);
  }
}

function typeMessage(path: ConfigPath, expected: string, actual: unknown, words: ValueWords): string {
  if (path.length === 0) {
    return `the file must be a mapping of keys to values (such as project: and on:), not ${words.describe(actual)}`;
  }
  const where = describePath(path);
  const wanted = describeExpected(expected);
  if (actual === null || actual === undefined) {
    const key = path[path.length - 1];
    return typeof key === "string" ? `${where} is empty: it must be ${wanted}, or be left out` : `${where} is empty: it must be ${wanted}`;
  }
  const hint = expected === "array" && typeof actual === "string" ? `: write [${words.quote(actual)}]` : "";
  return `${where} must be ${wanted}, not ${words.describe(actual)}${hint}`;
}

function unknownKeyMessage(objectPath: ConfigPath, key: string): string {
  const allowed = allowedKeys(repoConfigSchema, objectPath);
  const normalize = (k: string) => k.toLowerCase().replace(/-/g, "_");
  const meant = allowed.find((k) => normalize(k) === normalize(key) && k !== key);
  const place = objectPath.length === 0 ? "at the top level" : `in ${describePath(objectPath)}`;
  const suggestion = meant ? `did you mean ${meant}? ` : "";
  return `unknown key ${quote(key)} ${place}: ${suggestion}the allowed keys are ${allowed.join(", ")}`;
}

/** The keys the schema allows in the mapping at `path`. */
function allowedKeys(schema: z.ZodType, path: ConfigPath): string[] {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) return allowedKeys(schema.unwrap() as z.ZodType, path);
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  const [head, ...rest] = path;
  if (head === undefined) return Object.keys(shape);
  const next = shape[String(head)];
  return next ? allowedKeys(next, rest) : [];
}

/** Names and values of `env` maps must pass the same checks as variables set any other way (SPEC 3). */
function variableFindings(config: unknown): Finding[] {
  return VARIABLE_MAPS.flatMap((mapPath) => {
    const map = valueAt(config, mapPath);
    if (!isPlainObject(map)) return [];
    return Object.entries(map).flatMap(([name, value]): Finding[] => {
      const nameProblem = variableNameProblem(name);
      if (nameProblem) return [{ message: `${describePath(mapPath)}: ${nameProblem}`, path: [...mapPath, name], at: "key" }];
      if (!["string", "number", "boolean"].includes(typeof value)) return [];
      const valueProblem = variableValueProblem(name, String(value));
      return valueProblem ? [{ message: `${describePath(mapPath)}: ${valueProblem}`, path: [...mapPath, name], at: "value" }] : [];
    });
  });
}

/**
 * A repository must not move itself into another trust domain (SPEC 1, 3): its file may name only
 * the projects the operator mapped it to.
 */
function projectFindings(config: unknown, policy: ProjectPolicy, wordsAt: WordsAt): Finding[] {
  const project = valueAt(config, ["project"]);
  // A value the schema refuses is reported once, by the schema.
  if (typeof project !== "string" || !repoConfigSchema.shape.project.safeParse(project).success || policy.projects.includes(project)) return [];
  const [first, ...others] = policy.projects;
  const allowed =
    first === undefined
      ? "no CodeBuild project is mapped to this repository"
      : `this repository may use only ${joinAlternatives(policy.projects.map(quote))}${others.length > 0 ? ` (leave project out for ${quote(first)})` : ""}`;
  return [
    {
      message: `project ${wordsAt(["project"]).quote(project)} is not one of this repository's projects: ${allowed}. The app's operator decides which projects each repository may use (CODEBUILD_PROJECTS)`,
      path: ["project"],
      at: "value",
    },
  ];
}

function locate(finding: Finding, source: Source | null): ConfigProblem {
  const problem: ConfigProblem = { message: finding.message, path: finding.path };
  const node = source ? nodeAt(source.doc, finding.path, finding.at) : undefined;
  return source && node?.range ? { ...problem, ...spanOf(source, node.range[0], node.range[1]) } : problem;
}

/** The node of the key or value at `path`, or undefined when the repository's own file lacks it. */
function nodeAt(doc: Document.Parsed, path: ConfigPath, at: Finding["at"]): Node | undefined {
  let node: unknown = doc.contents;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return undefined;
      const onKey = index === path.length - 1 && (at === "key" || !hasExtent(pair.value));
      node = onKey ? pair.key : pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else {
      return undefined;
    }
  }
  return isNode(node) ? node : undefined;
}

/** The keys that repeat an earlier key of the same mapping, in one pass over the document. */
function duplicateKeys(doc: Document.Parsed): Scalar[] {
  const found: Scalar[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const { key } of map.items) {
        if (!isScalar(key) || !key.range) continue;
        const identity = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(identity)) found.push(key);
        seen.add(identity);
      }
    },
  });
  return found;
}

function hasExtent(node: unknown): boolean {
  return isNode(node) && node.range !== undefined && node.range !== null && node.range[1] > node.range[0];
}

/** 1-based start and end of `text[start, end)`, the end without trailing blanks. */
function spanOf(source: Pick<Source, "text" | "lines">, start: number, end: number) {
  let last = end;
  while (last > start + 1 && /\s/.test(source.text[last - 1] ?? "")) last--;
  const from = source.lines.linePos(start);
  const to = source.lines.linePos(Math.max(start, last - 1));
  return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
}

/** `on.push.branches[0]`: the key as a user would look for it in the file. */
export function describePath(path: ConfigPath): string {
  if (path.length === 0) return "the file";
  return path
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`;
      if (/^[A-Za-z_][\w-]*$/.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${quote(segment)}]`;
    })
    .join("");
}

function describeExpected(expected: string): string {
  const words: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "a mapping of keys to values",
    record: "a mapping of variable names to values",
    array: "a list",
  };
  return words[expected] ?? `a ${expected}`;
}

function boundMessage(origin: string, relation: string, bound: number): string {
  if (origin === "string") return bound === 1 && relation === "at least" ? "not be empty" : `be ${relation} ${bound} characters long`;
  if (origin === "array") return `have ${relation} ${bound} items`;
  return `be ${relation} ${bound}`;
}

function numberSuffix(origin: string, actual: unknown, words: ValueWords): string {
  return origin === "number" && typeof actual === "number" && words === SHOWN_VALUES ? `, not ${actual}` : "";
}

function joinAlternatives(words: string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}` : (words[0] ?? "something else");
}

function isVariableMap(path: ConfigPath): boolean {
  return VARIABLE_MAPS.some((mapPath) => mapPath.length === path.length && mapPath.every((segment, i) => segment === path[i]));
}

function valueAt(value: unknown, path: ConfigPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
