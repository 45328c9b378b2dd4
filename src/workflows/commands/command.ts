import type { DeploymentThread } from "../../deployments/thread.js";
import type { z } from "zod";
import type { CommentIntent } from "../../commands/intent.js";
import type { CommandGrammar } from "../../commands/parse.js";
import type { CommandSyntax, StoredCommand } from "../../commands/types.js";
import type { Trigger } from "../../domain/trigger.js";
import type { VariableScope } from "../../domain/variables.js";
import type { PullRequests } from "../../ports/pull-requests.js";
import type { Settings } from "../../settings.js";
import type { Decided } from "../builds/start-attempts.js";
import type { RepositoryVariables } from "../variables/repository-variables.js";

/** Opens `sealed:` values made on the app's /seal page, refusing ones made for another place. */
export interface SealedValueOpener {
  open(
    base64: string,
    expected: { repositoryId: number; environment: VariableScope; key: string },
  ): Promise<{ ok: true; value: string } | { ok: false; problem: string }>;
}

/** Everything a command may act through; each command takes only the parts it names. */
export interface CommandPorts {
  /** Who commented, where: never the comment's text. */
  intent: CommentIntent;
  settings: Pick<Settings, "publicUrl">;
  /** The repository's stored variables, read once for the whole comment. */
  variables: RepositoryVariables;
  pullRequests: PullRequests;
  /**
   * What processing would decide for a trigger, and with which config (workflows/builds/decision.ts),
   * for a build that is not skipped for the files it changes.
   */
  decideNextBuild(trigger: Trigger): Promise<Decided>;
  /** Processes a trigger as a webhook's would be: `/build` starts builds this way. */
  processTrigger(trigger: Trigger): Promise<void>;
  /** A pull request's deployments, as its deployment comment shows them (SPEC 10). */
  deploymentThread(pullRequest: number): Promise<DeploymentThread | undefined>;
  /** Stops a pull request's running builds; how many. */
  stopPullRequestBuilds(pullRequest: number): Promise<number>;
  sealed: SealedValueOpener;
  /** The commands, as `/help` tells them. */
  grammar: Pick<CommandGrammar<StoredCommand>, "helpTable">;
}

/** What a command did, in words for the reply. */
export interface CommandOutcome {
  ok: boolean;
  /** Markdown for the reply; values only in code spans. */
  reply?: string;
}

/**
 * One slash command, whole: its grammar (verb, usage, effect, permission, parser), the schema its
 * typed form is read back with from the table, and its handler. Adding a command is adding a module
 * and listing it in registry.ts.
 */
export interface CommandModule<C extends StoredCommand, P extends keyof CommandPorts = keyof CommandPorts> extends CommandSyntax<C> {
  schema: z.ZodType<C>;
  run(command: C, ports: Pick<CommandPorts, P>): Promise<CommandOutcome>;
}

/** A command module, its command's type taken from its schema and its ports from its handler. */
export function defineCommand<C extends StoredCommand, P extends keyof CommandPorts>(module: CommandModule<C, P>): CommandModule<C, P> {
  return module;
}

/** How a reply names an environment. */
export function environmentWords(environment: VariableScope): string {
  return environment === "all" ? "all environments" : `the ${environment} environment`;
}
