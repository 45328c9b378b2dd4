import { z } from "zod";
import { failure } from "../../../commands/arguments.js";
import { defineCommand } from "../command.js";

/** `/help`: the table of commands. */
export const help = defineCommand({
  verb: "help",
  usage: "/help",
  effect: "reply with this table",
  needsWrite: false,
  schema: z.object({ verb: z.literal("help") }),

  parse: (args) => (args.length === 0 ? { ok: true, command: { verb: "help" } } : failure("/help takes no arguments")),

  async run(_command, { grammar }) {
    return { ok: true, reply: grammar.helpTable() };
  },
});
