import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { canWrite, userPermission } from "../../adapters/github/permissions.js";
import { codeSpan, escapeMarkdown } from "../../checks/markdown.js";
import type { CommentIntent } from "../../commands/intent.js";
import { MAX_COMMANDS_PER_COMMENT, type ParsedLine } from "../../commands/types.js";
import type { RepositoryRef, Trigger } from "../../domain/trigger.js";
import type { CommentRef, Conversation } from "../../ports/conversation.js";
import type { PullRequests } from "../../ports/pull-requests.js";
import type { Masker } from "../../variables/masking.js";
import { repositoryMasker } from "../builds/build-masking.js";
import { decideTrigger } from "../builds/decision.js";
import { stopPullRequestBuilds } from "../builds/process.js";
import type { Dependencies } from "../dependencies.js";
import { RepositoryVariables } from "../variables/repository-variables.js";
import type { CommandOutcome, CommandPorts, SealedValueOpener } from "./command.js";
import { commandModule, GRAMMAR } from "./registry.js";

export interface CommandDependencies extends Dependencies {
  sealed: SealedValueOpener;
  /** Processes a trigger as a webhook's would be: `/build` starts builds this way. */
  processTrigger(trigger: Trigger): Promise<void>;
  /** The thread of a comment on GitHub, whose port budgets every write and masks every reply. */
  conversation(octokit: ProbotOctokit, comment: CommentRef, masker: () => Promise<Masker>): Conversation;
  pullRequests(octokit: ProbotOctokit, repository: RepositoryRef): PullRequests;
}

/**
 * Runs a comment's slash commands (SPEC 6): `eyes` on receipt; a comment holding a secret is
 * deleted at once (deleting also removes its edit history); writers only for every command that
 * needs it; then `+1` or `-1` and one reply for lists, help and every error. The repository's
 * stored variables are read once for the whole comment: its commands and the masking of the reply
 * share the read.
 */
export async function runComment(intent: CommentIntent, deps: CommandDependencies): Promise<void> {
  const octokit = await deps.github(intent.installationId);
  const variables = new RepositoryVariables(deps.variables, deps.editor, intent.repository);
  const conversation = deps.conversation(octokit, intent, async () => repositoryMasker(deps.secretValues, await variables.entries()));
  await conversation.react("eyes");
  if (intent.holdsSecret) await conversation.deleteComment();

  const ports: CommandPorts = {
    intent,
    settings: deps.settings,
    variables,
    pullRequests: deps.pullRequests(octokit, intent.repository),
    decideNextBuild: (trigger) => decideTrigger(trigger, octokit, deps.settings, { pathFilters: false }),
    processTrigger: deps.processTrigger,
    stopPullRequestBuilds: (pullRequest) => stopPullRequestBuilds(intent.repository.id, pullRequest, deps),
    deploymentThread: (pullRequest) => deps.deploymentComments.thread({ repositoryId: intent.repository.id, pullRequest }),
    sealed: deps.sealed,
    grammar: GRAMMAR,
  };
  const outcomes = await outcomesOf(intent, ports, octokit, deps.log);
  const ok = outcomes.every((o) => o.ok);
  const body = replyBody(intent, outcomes);
  if (body) await conversation.reply(body);
  if (!intent.holdsSecret) await conversation.react(ok ? "+1" : "-1");
  deps.log.info({ deliveryId: intent.deliveryId, commands: intent.commands.length, ok }, "slash commands handled");
}

async function outcomesOf(intent: CommentIntent, ports: CommandPorts, octokit: ProbotOctokit, log: Logger): Promise<CommandOutcome[]> {
  if (intent.tooMany !== undefined) {
    return [
      {
        ok: false,
        reply: `This comment holds ${intent.tooMany} commands; one comment may hold at most ${MAX_COMMANDS_PER_COMMENT}. Nothing was done: split them over several comments.`,
      },
    ];
  }
  const needsWrite = intent.commands.some((c) => !c.ok || (commandModule(c.command.verb)?.needsWrite ?? true));
  if (needsWrite && !canWrite(await userPermission(octokit, intent.repository, intent.sender.login))) {
    return [
      { ok: false, reply: `${codeSpan(intent.sender.login)} cannot run these commands: they need write access to this repository. Nothing was changed.` },
    ];
  }
  const outcomes: CommandOutcome[] = [];
  for (const line of intent.commands) outcomes.push(await runLine(line, ports, log));
  return outcomes;
}

async function runLine(line: ParsedLine, ports: CommandPorts, log: Logger): Promise<CommandOutcome> {
  if (!line.ok) {
    return { ok: false, reply: `Line ${line.line}, ${codeSpan(line.verb)}: ${escapeMarkdown(line.message)}\nUsage: ${codeSpan(line.usage)}` };
  }
  const verb = `/${line.command.verb}`;
  // The command was recorded by intake, perhaps by another version of the app: read back as input.
  const module = commandModule(line.command.verb);
  const command = module?.schema.safeParse(line.command);
  if (!module || !command?.success) {
    log.warn({ deliveryId: ports.intent.deliveryId, verb: line.command.verb }, "a recorded slash command could not be read back");
    return { ok: false, reply: `Line ${line.line}, ${codeSpan(verb)}: the app could not read this command back after recording it. Comment it again.` };
  }
  try {
    return await module.run(command.data, ports);
  } catch (error) {
    log.warn({ err: error, deliveryId: ports.intent.deliveryId, verb: line.command.verb }, "slash command failed");
    return { ok: false, reply: `${codeSpan(verb)} failed on the app's side; it has been logged. Try again in a moment.` };
  }
}

/** One reply for the whole comment; nothing when every command succeeded silently. */
function replyBody(intent: CommentIntent, outcomes: CommandOutcome[]): string | undefined {
  const parts = outcomes.flatMap((o) => (o.reply ? [o.reply] : []));
  if (parts.length === 0) return undefined;
  return [`${codeSpan(intent.sender.login)}:`, ...parts].join("\n\n");
}
