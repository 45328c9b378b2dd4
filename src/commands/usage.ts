import { MAX_COMMANDS_PER_COMMENT, type Command } from "./types.js";

/** SPEC 6's usage line of each command, shown with every usage error and in `/help`. */
export const USAGE: Readonly<Record<Command["verb"], string>> = {
  "env set": "/env set KEY=VALUE [KEY=VALUE…] [--environment E]",
  "env unset": "/env unset KEY [KEY…] [--environment E]",
  "env list": "/env list [--environment E]",
  "secret set": "/secret set KEY=VALUE [--environment E]",
  build: "/build [sha]",
  cancel: "/cancel",
  help: "/help",
};

/** SPEC 6's effect of each command, in `/help`. */
const EFFECT: Readonly<Record<Command["verb"], string>> = {
  "env set": "store plain variables",
  "env unset": "remove variables (plain or secret)",
  "env list":
    "reply with the variables this PR's next build would get: names, environment and source of each; plain values only on a private repository; secrets as `***`",
  "secret set": "store a secret (see below)",
  build:
    "build the PR head; the approval of a fork PR, where the sha is required and must be the current head's full 40 characters (an approval is for the commit that was reviewed)",
  cancel: "stop this PR's running builds; their runs complete `cancelled`",
  help: "reply with this table",
};

/**
 * The usage of a command as a usage error names it: one verb and subcommand (`/env set`), or a
 * verb alone (`/env`), whose subcommands' usages are given together.
 */
export function usageOf(verb: string): string {
  return Object.values(USAGE)
    .filter((usage) => usage === verb || usage.startsWith(`${verb} `))
    .join(" or ");
}

/** The reply to `/help`: SPEC 6's table of commands, and how to write them. */
export function helpTable(): string {
  const rows = (Object.keys(USAGE) as Command["verb"][]).map((verb) => `| \`${USAGE[verb]}\` | ${EFFECT[verb]} |`);
  return [
    "| command | effect |",
    "|---|---|",
    ...rows,
    "",
    "`E` is `all` (the default), `production` or `preview`. Quote a value that holds spaces: `KEY=\"a b\"` or `KEY='a b'`. " +
      `A command is a line of its own, outside code blocks and quotes; one comment may hold up to ${MAX_COMMANDS_PER_COMMENT}.`,
    "",
    "Everyone who can read this thread can read a secret written in a comment: seal its value on the app's `/seal` page and paste the `/secret set KEY=sealed:…` command it makes. " +
      "A plain value is accepted only on a private repository. Either way the comment is deleted at once.",
    "",
    "Only people with write access to the repository may run `/env`, `/secret`, `/build` and `/cancel`.",
  ].join("\n");
}
