import { codeSpan } from "../../../checks/markdown.js";
import { environmentWords, type CommandHandler } from "../context.js";
import type { Command } from "../../../commands/types.js";
import { editProblems } from "./edit-problems.js";

/** `/env set KEY=VALUE … [--environment E]`: stores plain variables. */
export const envSet: CommandHandler<Extract<Command, { verb: "env set" }>> = {
  needsWrite: true,
  async run(command, { intent, deps }) {
    const result = await deps.editor.set(
      intent.repository,
      command.environment,
      command.assignments.map((a) => ({ name: a.name, value: a.value, isSecret: false })),
      { actor: intent.sender.login, via: "comment" },
    );
    if (!result.ok) return { ok: false, reply: editProblems(result.problems, command.assignments.map((a) => a.name)) };
    const names = command.assignments.map((a) => codeSpan(a.name)).join(", ");
    return { ok: true, reply: `Set ${names} for ${environmentWords(command.environment)}.` };
  },
};
