/**
 * A slash command as intake records it: its verb (`env set`, `build`) and its typed arguments. The
 * command's module (workflows/commands/verbs/) gives it its shape and reads it back; the runner never
 * sees comment text.
 */
export type StoredCommand = { verb: string; [argument: string]: unknown };

export interface Assignment {
  name: string;
  /** The value as written, quotes removed; for a sealed secret `sealed:BASE64`. */
  value: string;
  /** A `/secret set` value written plain, which intake sealed before recording it: plain for the rules. */
  writtenPlain?: boolean;
}

/** A line that starts with a known verb but cannot be understood: what was wrong, and the usage line. */
export interface CommandError {
  /** The 1-based line of the comment. */
  line: number;
  /** The verb as recognised (`/env`, `/secret set`, …). */
  verb: string;
  message: string;
  usage: string;
}

export type ParsedLine<C extends StoredCommand = StoredCommand> = { ok: true; line: number; command: C } | ({ ok: false } & CommandError);

/** A command's arguments understood, or every problem found with them. */
export type ParsedArguments<C extends StoredCommand> = { ok: true; command: C } | { ok: false; problems: string[] };

/**
 * The grammar half of one slash command, as its module declares it: the parser reads comments with
 * the list of these (commands/parse.ts), and `/help` is made from them (commands/usage.ts).
 */
export interface CommandSyntax<C extends StoredCommand = StoredCommand> {
  /** One or two lowercase words: `help`, `env set`. Commands sharing a first word are its subcommands. */
  verb: C["verb"];
  /** SPEC 6's usage line, shown with every usage error and in `/help`; starts with `/` and the verb. */
  usage: string;
  /** What the command does, in `/help`'s table. */
  effect: string;
  /** Only users with write access may run it (SPEC 6). */
  needsWrite: boolean;
  /**
   * Its line may hold a secret: the comment is deleted even when the line is refused, and messages
   * about its family's subcommands quote nothing that was written.
   */
  carriesSecret?: boolean;
  /** Said after the list of subcommands when a line names none of them. */
  seeAlso?: string;
  /** A paragraph of its own in `/help`, after the table. */
  helpNote?: string;
  /** The words after the verb, split as a shell splits them. */
  parse(args: string[]): ParsedArguments<C>;
}

/** SPEC 6: at most 10 commands in one comment. */
export const MAX_COMMANDS_PER_COMMENT = 10;
