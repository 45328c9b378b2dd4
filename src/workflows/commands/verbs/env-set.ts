import { z } from "zod";
import { assignmentOf, quoted, readOptions, repeated, understood } from "../../../commands/arguments.js";
import { assignmentSchema, scopeSchema } from "../../../commands/schemas.js";
import type { Assignment } from "../../../commands/types.js";
import { codeSpan } from "../../../checks/markdown.js";
import { variableNameProblem, variableValueProblem } from "../../../domain/variable-names.js";
import { defineCommand, environmentWords } from "../command.js";
import { editProblems } from "./edit-problems.js";

/** `/env set KEY=VALUE … [--environment E]`: stores plain variables. */
export const envSet = defineCommand({
  verb: "env set",
  usage: "/env set KEY=VALUE [KEY=VALUE…] [--environment E]",
  effect: "store plain variables",
  needsWrite: true,
  schema: z.object({ verb: z.literal("env set"), environment: scopeSchema, assignments: z.array(assignmentSchema) }),

  parse(args) {
    const { environment, positional, problems } = readOptions(args, "/env set");
    if (positional.length === 0) problems.push("/env set needs at least one KEY=VALUE");
    const assignments: Assignment[] = [];
    for (const word of positional) {
      const assignment = assignmentOf(word);
      const problem = assignment
        ? (variableNameProblem(assignment.name) ??
          variableValueProblem(assignment.name, assignment.value) ??
          repeated(
            assignment.name,
            assignments.map((a) => a.name),
          ))
        : `${quoted(word)} is not KEY=VALUE: write the name, = and the value with no spaces around =, and quote a value that holds spaces`;
      if (problem) problems.push(problem);
      else if (assignment) assignments.push(assignment);
    }
    return understood({ verb: "env set", environment, assignments }, problems);
  },

  async run(command, { intent, variables }) {
    const result = await variables.set(
      command.environment,
      command.assignments.map((a) => ({ name: a.name, value: a.value, isSecret: false })),
      { actor: intent.sender.login, via: "comment" },
    );
    if (!result.ok)
      return {
        ok: false,
        reply: editProblems(
          result.problems,
          command.assignments.map((a) => a.name),
        ),
      };
    const names = command.assignments.map((a) => codeSpan(a.name)).join(", ");
    return { ok: true, reply: `Set ${names} for ${environmentWords(command.environment)}.` };
  },
});
