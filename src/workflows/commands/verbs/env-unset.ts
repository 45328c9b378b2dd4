import { z } from "zod";
import { quoted, readOptions, repeated, understood } from "../../../commands/arguments.js";
import { scopeSchema } from "../../../commands/schemas.js";
import { codeSpan } from "../../../checks/markdown.js";
import { variableNameProblem } from "../../../domain/variable-names.js";
import { defineCommand, environmentWords } from "../command.js";

/** `/env unset KEY … [--environment E]`: removes plain variables and secrets. */
export const envUnset = defineCommand({
  verb: "env unset",
  usage: "/env unset KEY [KEY…] [--environment E]",
  effect: "remove variables (plain or secret)",
  needsWrite: true,
  schema: z.object({ verb: z.literal("env unset"), environment: scopeSchema, names: z.array(z.string()) }),

  parse(args) {
    const { environment, positional, problems } = readOptions(args, "/env unset");
    if (positional.length === 0) problems.push("/env unset needs at least one name");
    const names: string[] = [];
    for (const name of positional) {
      const problem = name.includes("=") ? `${quoted(name)} has a value: /env unset takes names alone` : (variableNameProblem(name) ?? repeated(name, names));
      if (problem) problems.push(problem);
      else names.push(name);
    }
    return understood({ verb: "env unset", environment, names }, problems);
  },

  async run(command, { intent, variables }) {
    await variables.unset(command.environment, command.names, { actor: intent.sender.login, via: "comment" });
    return { ok: true, reply: `Removed ${command.names.map(codeSpan).join(", ")} from ${environmentWords(command.environment)}.` };
  },
});
