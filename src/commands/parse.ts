import { variableNameProblem, variableValueProblem, VARIABLE_NAME } from "../domain/variable-names.js";
import type { VariableScope } from "../domain/variables.js";
import { proseLines } from "./comment-lines.js";
import { shellWords } from "./shell-words.js";
import { MAX_COMMANDS_PER_COMMENT, type Assignment, type Command, type ParsedLine } from "./types.js";
import { usageOf } from "./usage.js";
import { VARIABLE_SCOPES } from "../domain/variables.js";

/** A comment's command lines, parsed; `tooMany` when it holds more than one comment may (then only the first are parsed). */
export interface ParsedComment {
  commands: ParsedLine[];
  tooMany?: {
    found: number;
    /** Whether any command line, parsed or not, is a `/secret` one: such a comment is deleted even when refused. */
    holdsSecret: boolean;
  };
}

/*
 * Regular expressions over comment lines (linear time): COMMAND_LINE and SHA are anchored with
 * bounded or single-class quantifiers; words are split by shellWords, a scan without regular
 * expressions, and by one split on runs of spaces and tabs.
 */
/** A command line: up to 3 spaces, then a verb (lowercase) that ends the line or is followed by a space or tab. */
const COMMAND_LINE = /^ {0,3}\/(?:env|secret|build|cancel|help)(?=[ \t]|$)/;
const SHA = /^[0-9a-fA-F]{7,40}$/;
const ENVIRONMENT_FLAG = "--environment";
const SCOPES_IN_WORDS = `${VARIABLE_SCOPES.slice(0, -1).join(", ")} or ${VARIABLE_SCOPES.at(-1)}`;
/** How much of a word a message quotes. */
const QUOTED_LENGTH = 40;

type Parsed = { ok: true; command: Command } | { ok: false; problems: string[] };

/** SPEC 6: the slash commands of a comment, each a typed command or a usage error. */
export function parseComment(body: string): ParsedComment {
  const lines = proseLines(body).filter((line) => COMMAND_LINE.test(line.text));
  const commands = lines.slice(0, MAX_COMMANDS_PER_COMMENT).map((line) => parseCommandLine(line.text, line.number));
  if (lines.length <= MAX_COMMANDS_PER_COMMENT) return { commands };
  const holdsSecret = lines.some((line) => line.text.trimStart().startsWith("/secret"));
  return { commands, tooMany: { found: lines.length, holdsSecret } };
}

/** One command line (it starts with a verb); `line` is its 1-based number in the comment. */
function parseCommandLine(text: string, line: number): ParsedLine {
  const verb = verbOf(text);
  const split = shellWords(text);
  const parsed: Parsed = split.ok ? parseWords(split.words) : { ok: false, problems: [split.problem] };
  if (parsed.ok) return { ok: true, line, command: parsed.command };
  return { ok: false, line, verb, message: parsed.problems.join("; "), usage: usageOf(verb) };
}

/** The verb and, when it is one, the subcommand, as written: `/env set`, `/env`, `/build`. */
function verbOf(text: string): string {
  const [verb = "", subcommand] = text.trim().split(/[ \t]+/);
  const known = (verb === "/env" && ["set", "unset", "list"].includes(subcommand ?? "")) || (verb === "/secret" && subcommand === "set");
  return known ? `${verb} ${subcommand}` : verb;
}

function parseWords([verb, ...args]: string[]): Parsed {
  switch (verb) {
    case "/env":
      return parseEnv(args);
    case "/secret":
      return parseSecret(args);
    case "/build":
      return parseBuild(args);
    case "/cancel":
      return args.length === 0 ? { ok: true, command: { verb: "cancel" } } : failure("/cancel takes no arguments");
    default: // "/help", the last verb COMMAND_LINE lets through
      return args.length === 0 ? { ok: true, command: { verb: "help" } } : failure("/help takes no arguments");
  }
}

function parseEnv([subcommand, ...args]: string[]): Parsed {
  switch (subcommand) {
    case "set":
      return parseEnvSet(args);
    case "unset":
      return parseEnvUnset(args);
    case "list": {
      const { environment, positional, problems } = readOptions(args, "/env list");
      if (positional[0] !== undefined) problems.push(`/env list takes no arguments but --environment; found ${quoted(positional[0])}`);
      return problems.length > 0 ? { ok: false, problems } : { ok: true, command: { verb: "env list", environment } };
    }
    case undefined:
      return failure("/env needs a subcommand: set, unset or list");
    default:
      return failure(`${quoted(subcommand)} is not a subcommand of /env: use set, unset or list (options come after it)`);
  }
}

function parseEnvSet(args: string[]): Parsed {
  const { environment, positional, problems } = readOptions(args, "/env set");
  if (positional.length === 0) problems.push("/env set needs at least one KEY=VALUE");
  const assignments: Assignment[] = [];
  for (const word of positional) {
    const assignment = assignmentOf(word);
    const problem = assignment
      ? (variableNameProblem(assignment.name) ?? variableValueProblem(assignment.name, assignment.value) ?? repeated(assignment.name, assignments.map((a) => a.name)))
      : `${quoted(word)} is not KEY=VALUE: write the name, = and the value with no spaces around =, and quote a value that holds spaces`;
    if (problem) problems.push(problem);
    else if (assignment) assignments.push(assignment);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, command: { verb: "env set", environment, assignments } };
}

function parseEnvUnset(args: string[]): Parsed {
  const { environment, positional, problems } = readOptions(args, "/env unset");
  if (positional.length === 0) problems.push("/env unset needs at least one name");
  const names: string[] = [];
  for (const name of positional) {
    const problem = name.includes("=")
      ? `${quoted(name)} has a value: /env unset takes names alone`
      : (variableNameProblem(name) ?? repeated(name, names));
    if (problem) problems.push(problem);
    else names.push(name);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, command: { verb: "env unset", environment, names } };
}

/**
 * `/secret set`: its messages never quote what was written, since any word of the line may be
 * (part of) the secret, except a name that is a well-formed variable name.
 */
function parseSecret([subcommand, ...args]: string[]): Parsed {
  if (subcommand !== "set") {
    return failure("/secret has one subcommand, set; /env unset and /env list cover secrets too");
  }
  const { environment, positional, problems } = readOptions(args, "/secret set", { secret: true });
  const [word, ...extra] = positional;
  const assignment = word === undefined ? undefined : assignmentOf(word);
  if (word === undefined) problems.push("/secret set needs KEY=VALUE");
  else if (extra.length > 0) problems.push("/secret set takes exactly one KEY=VALUE: quote a value that holds spaces, and give each secret a /secret set line of its own");
  else if (!assignment) problems.push("/secret set needs KEY=VALUE, and its argument has no =");
  else {
    const problem = secretProblem(assignment);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0 || !assignment) return { ok: false, problems };
  return { ok: true, command: { verb: "secret set", environment, assignment } };
}

function secretProblem({ name, value }: Assignment): string | null {
  if (!VARIABLE_NAME.test(name)) return "the name before = is not a valid variable name: use capital letters, digits and _, not starting with a digit";
  const nameProblem = variableNameProblem(name);
  if (nameProblem) return nameProblem;
  // The value's size is checked when it is stored: a sealed value is larger than the value it holds.
  return value === "" ? `${name} has an empty value: a secret needs one (to remove ${name}, use /env unset ${name})` : null;
}

function parseBuild(args: string[]): Parsed {
  const [sha, ...extra] = args;
  if (extra.length > 0) return failure("/build takes at most one argument, the commit to build");
  if (sha === undefined) return { ok: true, command: { verb: "build" } };
  if (!SHA.test(sha)) return failure(`${quoted(sha)} is not a commit sha: give 7 to 40 hexadecimal characters, or nothing to build the head`);
  return { ok: true, command: { verb: "build", sha: sha.toLowerCase() } };
}

/** `--environment E` or `--environment=E`, once, anywhere among `args`; every other word is positional. */
function readOptions(args: string[], verb: string, { secret = false } = {}): { environment: VariableScope; positional: string[]; problems: string[] } {
  let environment: VariableScope = "all";
  let given = false;
  const positional: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word !== ENVIRONMENT_FLAG && !word.startsWith(`${ENVIRONMENT_FLAG}=`)) {
      if (!word.startsWith("-")) positional.push(word);
      else problems.push(`${secret ? "a word starting with -" : quoted(word)} is not an option of ${verb}: the only option is --environment E`);
      continue;
    }
    const value = word === ENVIRONMENT_FLAG ? args[++i] : word.slice(ENVIRONMENT_FLAG.length + 1);
    if (given) problems.push("--environment is given more than once: give it once");
    else if (value === undefined || value === "") problems.push(`--environment needs a value: ${SCOPES_IN_WORDS}`);
    else if (!isScope(value)) problems.push(`${secret ? "the value of --environment" : quoted(value)} is not an environment: use ${SCOPES_IN_WORDS}`);
    else environment = value;
    given = true;
  }
  return { environment, positional, problems };
}

function isScope(value: string): value is VariableScope {
  return (VARIABLE_SCOPES as readonly string[]).includes(value);
}

/** `KEY=VALUE` split at its first `=`; undefined without one. */
function assignmentOf(word: string): Assignment | undefined {
  const eq = word.indexOf("=");
  return eq < 0 ? undefined : { name: word.slice(0, eq), value: word.slice(eq + 1) };
}

function repeated(name: string, earlier: string[]): string | null {
  return earlier.includes(name) ? `${name} is given more than once: give each name once` : null;
}

function failure(problem: string): Parsed {
  return { ok: false, problems: [problem] };
}

/** A word as a message quotes it: in double quotes, JSON-escaped, cut short when long. */
function quoted(word: string): string {
  const chars = Array.from(word);
  return JSON.stringify(chars.length > QUOTED_LENGTH ? `${chars.slice(0, QUOTED_LENGTH).join("")}…` : word);
}
