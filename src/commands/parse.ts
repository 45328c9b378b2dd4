import { failure, inWords, quoted } from "./arguments.js";
import { proseLines } from "./comment-lines.js";
import { shellWords } from "./shell-words.js";
import { MAX_COMMANDS_PER_COMMENT, type CommandSyntax, type ParsedArguments, type ParsedLine, type StoredCommand } from "./types.js";
import { helpTable, usageOf } from "./usage.js";

/** A comment's command lines, parsed; `tooMany` when it holds more than one comment may (then only the first are parsed). */
export interface ParsedComment<C extends StoredCommand = StoredCommand> {
  commands: ParsedLine<C>[];
  tooMany?: {
    found: number;
    /** Whether any command line, parsed or not, is of a command that carries a secret: such a comment is deleted even when refused. */
    holdsSecret: boolean;
  };
}

/** How comments are read with one list of commands, and what is said about them. */
export interface CommandGrammar<C extends StoredCommand> {
  parseComment(body: string): ParsedComment<C>;
  /** The usage of a verb as an error names it (`/env set`, or `/env` for all of its subcommands). */
  usageOf(verb: string): string;
  /** The reply to `/help`. */
  helpTable(): string;
  /** Whether a line of this verb (as an error names it) may hold a secret. */
  carriesSecret(verb: string): boolean;
}

/** A verb's words: lowercase letters only, so that they can stand in a regular expression as they are. */
const VERB_WORD = /^[a-z]+$/;

/*
 * Regular expressions over comment lines (linear time): the command line's is anchored, an
 * alternation of literal words with a bounded quantifier before it; words are split by shellWords,
 * a scan without regular expressions, and by one split on runs of spaces and tabs.
 */

/**
 * SPEC 6's reading of comments for the given commands: which lines are commands (a line that
 * starts, after up to 3 spaces, with `/` and the first word of a verb, followed by a space, a tab or
 * the end of the line, outside code, quotes and hidden text), and each line as a typed command or a
 * usage error. Lines with other words (`/deploy`, `/cc`) are not commands and are ignored.
 */
export function commandGrammar<C extends StoredCommand>(syntaxes: readonly CommandSyntax<C>[]): CommandGrammar<C> {
  const families = familiesOf(syntaxes);
  const commandLine = new RegExp(`^ {0,3}\\/(?:${[...families.keys()].join("|")})(?=[ \\t]|$)`);
  const secretVerbs = new Set(syntaxes.filter((s) => s.carriesSecret).flatMap((s) => [`/${s.verb}`, `/${firstWord(s.verb)}`]));

  function parseCommandLine(text: string, line: number): ParsedLine<C> {
    const verb = verbOf(text, families);
    const split = shellWords(text);
    const parsed = split.ok ? parseWords(split.words, families) : failure<C>(split.problem);
    if (parsed.ok) return { ok: true, line, command: parsed.command };
    return { ok: false, line, verb, message: parsed.problems.join("; "), usage: usageOf(syntaxes, verb) };
  }

  return {
    parseComment(body) {
      const lines = proseLines(body).filter((line) => commandLine.test(line.text));
      const commands = lines.slice(0, MAX_COMMANDS_PER_COMMENT).map((line) => parseCommandLine(line.text, line.number));
      if (lines.length <= MAX_COMMANDS_PER_COMMENT) return { commands };
      const holdsSecret = lines.some((line) => secretVerbs.has(verbOf(line.text, families)));
      return { commands, tooMany: { found: lines.length, holdsSecret } };
    },
    usageOf: (verb) => usageOf(syntaxes, verb),
    helpTable: () => helpTable(syntaxes),
    carriesSecret: (verb) => secretVerbs.has(verb),
  };
}

/** The commands by their first word: one command of that word alone, or its subcommands. */
function familiesOf<C extends StoredCommand>(syntaxes: readonly CommandSyntax<C>[]): Map<string, CommandSyntax<C>[]> {
  const families = new Map<string, CommandSyntax<C>[]>();
  for (const syntax of syntaxes) {
    const words = syntax.verb.split(" ");
    if (words.length > 2 || !words.every((w) => VERB_WORD.test(w)) || !syntax.usage.startsWith(`/${syntax.verb}`)) {
      throw new Error(`The command ${JSON.stringify(syntax.verb)} must be one or two lowercase words, and its usage must start with them`);
    }
    const family = families.get(words[0] as string) ?? [];
    family.push(syntax);
    families.set(words[0] as string, family);
  }
  for (const [word, family] of families) {
    if (family.length > 1 && family.some((s) => !s.verb.includes(" "))) throw new Error(`/${word} cannot be both a command and the word of subcommands`);
  }
  return families;
}

function firstWord(verb: string): string {
  return verb.split(" ")[0] as string;
}

/** The verb and, when it is one, the subcommand, as written: `/env set`, `/env`, `/build`. */
function verbOf(text: string, families: Map<string, CommandSyntax<StoredCommand>[]>): string {
  const [verb = "", subcommand] = text.trim().split(/[ \t]+/);
  const known = families.get(verb.slice(1))?.some((s) => s.verb === `${verb.slice(1)} ${subcommand}`);
  return known ? `${verb} ${subcommand}` : verb;
}

function parseWords<C extends StoredCommand>([verb = "", ...args]: string[], families: Map<string, CommandSyntax<C>[]>): ParsedArguments<C> {
  const word = verb.slice(1);
  const family = families.get(word) ?? [];
  const alone = family.find((s) => s.verb === word);
  if (alone) return alone.parse(args);
  const [subcommand, ...rest] = args;
  const syntax = family.find((s) => s.verb === `${word} ${subcommand}`);
  return syntax ? syntax.parse(rest) : failure(unknownSubcommand(word, subcommand, family));
}

/** A line of a command's word without one of its subcommands: what they are, quoting nothing of a secret's line. */
function unknownSubcommand(word: string, written: string | undefined, family: CommandSyntax<StoredCommand>[]): string {
  const subcommands = family.map((s) => s.verb.slice(word.length + 1));
  const list = inWords(subcommands);
  if (family.some((s) => s.carriesSecret)) {
    const seeAlso = family.flatMap((s) => (s.seeAlso ? [s.seeAlso] : []));
    return [`/${word} has ${subcommands.length === 1 ? "one subcommand" : "the subcommands"}, ${list}`, ...seeAlso].join("; ");
  }
  if (written === undefined) return `/${word} needs a subcommand: ${list}`;
  return `${quoted(written)} is not a subcommand of /${word}: use ${list} (options come after it)`;
}
