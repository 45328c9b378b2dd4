import { codeSpan, escapeMarkdown } from "../../../checks/markdown.js";
import { environmentWords, type CommandHandler } from "../context.js";
import { sealedBase64 } from "../../../secrets/sealed-value.js";
import type { Command } from "../../../commands/types.js";
import { editProblems } from "./edit-problems.js";

/**
 * `/secret set KEY=VALUE [--environment E]`. A sealed value is accepted anywhere; a plain one only
 * on a private repository, where the thread's readers could already read the code. The comment
 * itself is deleted by the runner before this runs.
 */
export const secretSet: CommandHandler<Extract<Command, { verb: "secret set" }>> = {
  needsWrite: true,
  async run(command, { intent, deps }) {
    const { name, value: written, writtenPlain = false } = command.assignment;
    const sealed = sealedBase64(written);
    if (writtenPlain && !intent.repository.private) return plainOnPublic(name, deps.settings.publicUrl);
    let value = written;
    if (sealed !== undefined) {
      const opened = await deps.sealed.open(sealed, {
        repositoryId: intent.repository.id,
        environment: command.environment,
        key: name,
      });
      if (!opened.ok) return { ok: false, reply: `${codeSpan(name)} was not set: ${escapeMarkdown(opened.problem)}` };
      value = opened.value;
    } else if (!intent.repository.private) {
      return plainOnPublic(name, deps.settings.publicUrl);
    }
    const result = await deps.editor.set(
      intent.repository,
      command.environment,
      [{ name, value, isSecret: true }],
      { actor: intent.sender.login, via: "comment" },
    );
    if (!result.ok) return { ok: false, reply: editProblems(result.problems, [name]) };
    const advice = sealed !== undefined && !writtenPlain
      ? ""
      : " The value was written in a comment: it went out in notifications, so consider rotating it and setting it sealed next time.";
    return { ok: true, reply: `Set secret ${codeSpan(name)} for ${environmentWords(command.environment)}; the comment holding it was deleted.${advice}` };
  },
};

function plainOnPublic(name: string, publicUrl: string) {
  return {
    ok: false,
    reply:
      `${codeSpan(name)} was not set: on a public repository a secret's value must be sealed, since everyone can read this thread. ` +
      `Seal it on the app's ${`[seal page](<${publicUrl}/seal>)`} and paste the command it gives. ` +
      "The comment was deleted, but treat the value as exposed and rotate it.",
  };
}
