import { deleteComment, react, reply } from "../../adapters/github/comments.js";
import { canWrite, userPermission } from "../../adapters/github/permissions.js";
import { codeSpan, escapeMarkdown } from "../../checks/markdown.js";
import { repositoryMasker } from "../builds/build-masking.js";
import type { MaskedText } from "../../variables/masking.js";
import type { CommandContext, CommandDependencies, CommandHandler, CommandOutcome } from "./context.js";
import { COMMAND_HANDLERS } from "./handlers.js";
import type { CommentIntent } from "../../commands/intent.js";
import { MAX_COMMANDS_PER_COMMENT, type Command, type ParsedLine } from "../../commands/types.js";

/**
 * Runs a comment's slash commands (SPEC 6): `eyes` on receipt; a comment holding a secret is
 * deleted at once (deleting also removes its edit history); writers only for every verb but
 * `/help`; then `+1` or `-1` and one reply for lists, help and every error.
 */
export async function runComment(intent: CommentIntent, deps: CommandDependencies): Promise<void> {
  const octokit = await deps.github(intent.installationId);
  const writes = deps.writes.forInstallation(intent.installationId);
  const { repository, commentId } = intent;
  await writes.once("creates", () => react(octokit, repository, commentId, "eyes"));
  const { holdsSecret } = intent;
  if (holdsSecret) await writes.once("changes", () => deleteComment(octokit, repository, commentId));

  const outcomes = await outcomesOf(intent, { intent, octokit, deps });
  const ok = outcomes.every((o) => o.ok);
  const body = replyBody(intent, outcomes);
  if (body) {
    const masked = await maskedReply(body, intent, deps);
    await writes.once("creates", () => reply(octokit, repository, intent.issueNumber, masked));
  }
  if (!holdsSecret) await writes.once("creates", () => react(octokit, repository, commentId, ok ? "+1" : "-1"));
  deps.log.info({ deliveryId: intent.deliveryId, commands: intent.commands.length, ok }, "slash commands handled");
}

async function outcomesOf(intent: CommentIntent, context: CommandContext): Promise<CommandOutcome[]> {
  if (intent.tooMany !== undefined) {
    return [{ ok: false, reply: `This comment holds ${intent.tooMany} commands; one comment may hold at most ${MAX_COMMANDS_PER_COMMENT}. Nothing was done: split them over several comments.` }];
  }
  const needsWrite = intent.commands.some((c) => !c.ok || handlerOf(c.command).needsWrite);
  if (needsWrite && !canWrite(await userPermission(context.octokit, intent.repository, intent.sender.login))) {
    return [{ ok: false, reply: `${codeSpan(intent.sender.login)} cannot run these commands: they need write access to this repository. Nothing was changed.` }];
  }
  const outcomes: CommandOutcome[] = [];
  for (const line of intent.commands) outcomes.push(await runLine(line, context));
  return outcomes;
}

async function runLine(line: ParsedLine, context: CommandContext): Promise<CommandOutcome> {
  if (!line.ok) {
    return { ok: false, reply: `Line ${line.line}, ${codeSpan(line.verb)}: ${escapeMarkdown(line.message)}\nUsage: ${codeSpan(line.usage)}` };
  }
  try {
    return await handlerOf(line.command).run(line.command as never, context);
  } catch (error) {
    context.deps.log.warn({ err: error, deliveryId: context.intent.deliveryId, verb: line.command.verb }, "slash command failed");
    return { ok: false, reply: `${codeSpan(`/${line.command.verb}`)} failed on the app's side; it has been logged. Try again in a moment.` };
  }
}

function handlerOf(command: Command): CommandHandler {
  return COMMAND_HANDLERS[command.verb] as CommandHandler;
}

/** One reply for the whole comment; nothing when every command succeeded silently. */
function replyBody(intent: CommentIntent, outcomes: CommandOutcome[]): string | undefined {
  const parts = outcomes.flatMap((o) => (o.reply ? [o.reply] : []));
  if (parts.length === 0) return undefined;
  return [`${codeSpan(intent.sender.login)}:`, ...parts].join("\n\n");
}

/** A reply never shows a stored secret's value, whatever a command echoes: the final body is masked. */
async function maskedReply(body: string, intent: CommentIntent, deps: CommandDependencies): Promise<MaskedText> {
  return (await repositoryMasker(deps, intent.repository.id)).mask(body);
}
