import { z } from "zod";
import { assignmentOf, readOptions } from "../../../commands/arguments.js";
import { assignmentSchema, scopeSchema } from "../../../commands/schemas.js";
import type { Assignment } from "../../../commands/types.js";
import { codeSpan, escapeMarkdown } from "../../../checks/markdown.js";
import { variableNameProblem, VARIABLE_NAME } from "../../../domain/variable-names.js";
import { sealedBase64 } from "../../../secrets/sealed-value.js";
import { defineCommand, environmentWords } from "../command.js";
import { editProblems } from "./edit-problems.js";

/**
 * `/secret set KEY=VALUE [--environment E]`. A sealed value is accepted anywhere; a plain one only
 * on a private repository, where the thread's readers could already read the code. The comment
 * itself is deleted by the runner before this runs, and intake seals a plain value before recording
 * it (intake/seal-intent.ts). Its messages never quote what was written, since any word of the line
 * may be (part of) the secret, except a name that is a well-formed variable name.
 */
export const secretSet = defineCommand({
  verb: "secret set",
  usage: "/secret set KEY=VALUE [--environment E]",
  effect: "store a secret (see below)",
  needsWrite: true,
  carriesSecret: true,
  seeAlso: "/env unset and /env list cover secrets too",
  helpNote:
    "Everyone who can read this thread can read a secret written in a comment: seal its value on the app's `/seal` page and paste the `/secret set KEY=sealed:…` command it makes. " +
    "A plain value is accepted only on a private repository. Either way the comment is deleted at once.",
  schema: z.object({ verb: z.literal("secret set"), environment: scopeSchema, assignment: assignmentSchema }),

  parse(args) {
    const { environment, positional, problems } = readOptions(args, "/secret set", { secret: true });
    const [word, ...extra] = positional;
    const assignment = word === undefined ? undefined : assignmentOf(word);
    if (word === undefined) problems.push("/secret set needs KEY=VALUE");
    else if (extra.length > 0)
      problems.push("/secret set takes exactly one KEY=VALUE: quote a value that holds spaces, and give each secret a /secret set line of its own");
    else if (!assignment) problems.push("/secret set needs KEY=VALUE, and its argument has no =");
    else {
      const problem = secretProblem(assignment);
      if (problem) problems.push(problem);
    }
    if (problems.length > 0 || !assignment) return { ok: false, problems };
    return { ok: true, command: { verb: "secret set", environment, assignment } };
  },

  async run(command, { intent, variables, sealed, settings }) {
    const { name, value: written, writtenPlain = false } = command.assignment;
    const sealedValue = sealedBase64(written);
    if (writtenPlain && !intent.repository.private) return plainOnPublic(name, settings.publicUrl);
    let value = written;
    if (sealedValue !== undefined) {
      const opened = await sealed.open(sealedValue, { repositoryId: intent.repository.id, environment: command.environment, key: name });
      if (!opened.ok) return { ok: false, reply: `${codeSpan(name)} was not set: ${escapeMarkdown(opened.problem)}` };
      value = opened.value;
    } else if (!intent.repository.private) {
      return plainOnPublic(name, settings.publicUrl);
    }
    const result = await variables.set(command.environment, [{ name, value, isSecret: true }], { actor: intent.sender.login, via: "comment" });
    if (!result.ok) return { ok: false, reply: editProblems(result.problems, [name]) };
    const advice =
      sealedValue !== undefined && !writtenPlain
        ? ""
        : " The value was written in a comment: it went out in notifications, so consider rotating it and setting it sealed next time.";
    return { ok: true, reply: `Set secret ${codeSpan(name)} for ${environmentWords(command.environment)}; the comment holding it was deleted.${advice}` };
  },
});

function secretProblem({ name, value }: Assignment): string | null {
  if (!VARIABLE_NAME.test(name)) return "the name before = is not a valid variable name: use capital letters, digits and _, not starting with a digit";
  const nameProblem = variableNameProblem(name);
  if (nameProblem) return nameProblem;
  // The value's size is checked when it is stored: a sealed value is larger than the value it holds.
  return value === "" ? `${name} has an empty value: a secret needs one (to remove ${name}, use /env unset ${name})` : null;
}

function plainOnPublic(name: string, publicUrl: string) {
  return {
    ok: false,
    reply:
      `${codeSpan(name)} was not set: on a public repository a secret's value must be sealed, since everyone can read this thread. ` +
      `Seal it on the app's ${`[seal page](<${publicUrl}/seal>)`} and paste the command it gives. ` +
      "The comment was deleted, but treat the value as exposed and rotate it.",
  };
}
