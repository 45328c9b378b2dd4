import type { ProbotOctokit } from "probot";
import type { Trigger } from "../../domain/trigger.js";
import type { Dependencies } from "../dependencies.js";
import type { VariableScope } from "../../domain/variables.js";
import type { CommentIntent } from "../../commands/intent.js";
import type { Command } from "../../commands/types.js";

/** Opens `sealed:` values made on the app's /seal page, refusing ones made for another place. */
export interface SealedValueOpener {
  open(
    base64: string,
    expected: { repositoryId: number; environment: VariableScope; key: string },
  ): Promise<{ ok: true; value: string } | { ok: false; problem: string }>;
}

export interface CommandDependencies extends Dependencies {
  sealed: SealedValueOpener;
  /** Processes a trigger as a webhook's would be: `/build` starts builds this way. */
  processTrigger(trigger: Trigger): Promise<void>;
}

/** What a command runs with: the comment's intent, GitHub as the installation, the app's parts. */
export interface CommandContext {
  intent: CommentIntent;
  octokit: ProbotOctokit;
  deps: CommandDependencies;
}

/** What a command did, in words for the reply. */
export interface CommandOutcome {
  ok: boolean;
  /** Markdown for the reply; values only in code spans. */
  reply?: string;
}

/** One verb: whether it needs write access, and how it runs. Adding a verb is adding a file. */
export interface CommandHandler<C extends Command = Command> {
  needsWrite: boolean;
  run(command: C, context: CommandContext): Promise<CommandOutcome>;
}

export type CommandHandlers = { [V in Command["verb"]]: CommandHandler<Extract<Command, { verb: V }>> };

/** How a reply names an environment. */
export function environmentWords(environment: VariableScope): string {
  return environment === "all" ? "all environments" : `the ${environment} environment`;
}
