import type { VariableScope } from "../domain/variables.js";

/** A slash command as the parser understood it (SPEC 6). The runner never sees comment text. */
export type Command =
  | { verb: "env set"; environment: VariableScope; assignments: Assignment[] }
  | { verb: "env unset"; environment: VariableScope; names: string[] }
  | { verb: "env list"; environment: VariableScope }
  | { verb: "secret set"; environment: VariableScope; assignment: Assignment }
  | { verb: "build"; sha?: string }
  | { verb: "cancel" }
  | { verb: "help" };

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

export type ParsedLine = { ok: true; line: number; command: Command } | ({ ok: false } & CommandError);

/** SPEC 6: at most 10 commands in one comment. */
export const MAX_COMMANDS_PER_COMMENT = 10;
