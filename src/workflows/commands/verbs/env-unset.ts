import { codeSpan } from "../../../checks/markdown.js";
import { environmentWords, type CommandHandler } from "../context.js";
import type { Command } from "../../../commands/types.js";

/** `/env unset KEY … [--environment E]`: removes plain variables and secrets. */
export const envUnset: CommandHandler<Extract<Command, { verb: "env unset" }>> = {
  needsWrite: true,
  async run(command, { intent, deps }) {
    await deps.editor.unset(intent.repository, command.environment, command.names, { actor: intent.sender.login, via: "comment" });
    return { ok: true, reply: `Removed ${command.names.map(codeSpan).join(", ")} from ${environmentWords(command.environment)}.` };
  },
};
