import { inWords } from "./arguments.js";
import { MAX_COMMANDS_PER_COMMENT, type CommandSyntax } from "./types.js";

/**
 * The usage of a command as a usage error names it: one verb and subcommand (`/env set`), or a
 * verb alone (`/env`), whose subcommands' usages are given together.
 */
export function usageOf(syntaxes: readonly CommandSyntax[], verb: string): string {
  return syntaxes
    .map((s) => s.usage)
    .filter((usage) => usage === verb || usage.startsWith(`${verb} `))
    .join(" or ");
}

/** The reply to `/help`: SPEC 6's table of the commands, and how to write them. */
export function helpTable(syntaxes: readonly CommandSyntax[]): string {
  const rows = syntaxes.map((s) => `| \`${s.usage}\` | ${s.effect} |`);
  const guarded = [...new Set(syntaxes.filter((s) => s.needsWrite).map((s) => `\`/${s.verb.split(" ")[0]}\``))];
  return [
    "| command | effect |",
    "|---|---|",
    ...rows,
    "",
    "`E` is `all` (the default), `production` or `preview`. Quote a value that holds spaces: `KEY=\"a b\"` or `KEY='a b'`. " +
      `A command is a line of its own, outside code blocks and quotes; one comment may hold up to ${MAX_COMMANDS_PER_COMMENT}.`,
    ...syntaxes.flatMap((s) => (s.helpNote ? ["", s.helpNote] : [])),
    "",
    `Only people with write access to the repository may run ${inWords(guarded, "and")}.`,
  ].join("\n");
}
