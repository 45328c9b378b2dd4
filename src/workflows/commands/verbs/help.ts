import type { CommandHandler } from "../context.js";
import type { Command } from "../../../commands/types.js";
import { helpTable } from "../../../commands/usage.js";

/** `/help`: the table of commands. */
export const help: CommandHandler<Extract<Command, { verb: "help" }>> = {
  needsWrite: false,
  async run() {
    return { ok: true, reply: helpTable() };
  },
};
