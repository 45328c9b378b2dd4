import { VARIABLE_SCOPES, type VariableScope } from "../domain/variables.js";
import type { Assignment, ParsedArguments, StoredCommand } from "./types.js";

const ENVIRONMENT_FLAG = "--environment";
const SCOPES_IN_WORDS = inWords(VARIABLE_SCOPES);
/** How much of a word a message quotes. */
const QUOTED_LENGTH = 40;

/**
 * `--environment E` or `--environment=E`, once, anywhere among `args`; every other word is
 * positional. For a `secret` command no message quotes what was written.
 */
export function readOptions(args: string[], verb: string, { secret = false } = {}): { environment: VariableScope; positional: string[]; problems: string[] } {
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
export function assignmentOf(word: string): Assignment | undefined {
  const eq = word.indexOf("=");
  return eq < 0 ? undefined : { name: word.slice(0, eq), value: word.slice(eq + 1) };
}

export function repeated(name: string, earlier: string[]): string | null {
  return earlier.includes(name) ? `${name} is given more than once: give each name once` : null;
}

export function failure<C extends StoredCommand>(problem: string): ParsedArguments<C> {
  return { ok: false, problems: [problem] };
}

/** The command when no problem was found. */
export function understood<C extends StoredCommand>(command: C, problems: string[]): ParsedArguments<C> {
  return problems.length > 0 ? { ok: false, problems } : { ok: true, command };
}

/** A word as a message quotes it: in double quotes, JSON-escaped, cut short when long. */
export function quoted(word: string): string {
  const chars = Array.from(word);
  return JSON.stringify(chars.length > QUOTED_LENGTH ? `${chars.slice(0, QUOTED_LENGTH).join("")}…` : word);
}

/** `a`, `a or b`, `a, b or c` (or with `and`). */
export function inWords(words: readonly string[], conjunction: "or" | "and" = "or"): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} ${conjunction} ${words.at(-1)}`;
}
