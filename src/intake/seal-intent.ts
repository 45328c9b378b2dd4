import type { CommentIntent } from "../commands/intent.js";
import type { ParsedLine } from "../commands/types.js";
import { secretSet } from "../workflows/commands/verbs/secret-set.js";
import { sealedBase64, sealForIntake, SEALED_VALUE_PREFIX } from "../secrets/sealed-value.js";
import type { Intent } from "../ports/intent.js";

/**
 * What intake records of a comment: a `/secret set` value written plain is sealed to the app's key
 * first (SPEC 8), so the table never holds a secret. The command remembers that it was written
 * plain, because a plain value is refused on a public repository.
 */
export function sealPlainSecrets(intent: Intent, publicKey: Uint8Array, now: Date): Intent {
  if (intent.kind !== "comment" || !intent.holdsSecret) return intent;
  return { ...intent, commands: intent.commands.map((line) => sealLine(line, intent, publicKey, now)) };
}

function sealLine(line: ParsedLine, intent: CommentIntent, publicKey: Uint8Array, now: Date): ParsedLine {
  const read = line.ok ? secretSet.schema.safeParse(line.command) : undefined;
  if (!line.ok || !read?.success) return line;
  const command = read.data;
  const { name, value } = command.assignment;
  if (sealedBase64(value) !== undefined) return line;
  const sealed = sealForIntake(publicKey, { repositoryId: intent.repository.id, environment: command.environment, key: name }, value, now);
  return { ...line, command: { ...command, assignment: { name, value: SEALED_VALUE_PREFIX + sealed, writtenPlain: true } } };
}
