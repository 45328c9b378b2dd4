import { pullRequestOf } from "../../../adapters/github/pulls.js";
import { configPolicyFor } from "../../builds/repository-policy.js";
import { storedForBuild } from "../../builds/stored-variables.js";
import { untrustedOrigin } from "../../../builds/trust.js";
import { codeSpan, escapeMarkdown } from "../../../checks/markdown.js";
import { loadRepoConfig } from "../../../config/load.js";
import { IDENTITY_NAMES } from "../../../domain/variable-names.js";
import { mergeVariables } from "../../../variables/merge.js";
import { MASK } from "../../../variables/masking.js";
import type { BuildVariable, VariableSource } from "../../../domain/variables.js";
import type { CommandContext, CommandHandler } from "../context.js";
import type { Command } from "../../../commands/types.js";
import type { EnvironmentName } from "../../../domain/environment.js";

const SOURCES: Record<VariableSource, string> = {
  default: "default",
  file: "file",
  "file-environment": "file, this environment",
  stored: "stored for all environments",
  "stored-environment": "stored for this environment",
  secret: "secret for all environments",
  "secret-environment": "secret for this environment",
  identity: "set by the app",
};

/**
 * `/env list [--environment E]`: the variables the next build would get — on a pull request its
 * preview build (from its head's config), elsewhere the default branch's build in E — by name and
 * source; plain values only on a private repository, secrets never.
 */
export const envList: CommandHandler<Extract<Command, { verb: "env list" }>> = {
  needsWrite: true,
  async run(command, context) {
    const { environment, ref, trusted, what } = await target(command.environment, context);
    const { intent, octokit, deps } = context;
    const policy = configPolicyFor(deps.settings, intent.repository.fullName);
    const config = await loadRepoConfig(octokit, { owner: intent.repository.owner, repo: intent.repository.name, ref }, policy);
    if (!config.ok) {
      return { ok: false, reply: `The ${what}'s .github/codebuild.yml is invalid, so no build would start: push a fix (its check run lists the problems).` };
    }
    const merged = mergeVariables({ config: config.config, environment, ...storedForBuild(await deps.variables.list(intent.repository.id), environment), identity: {}, trusted });
    if (!merged.ok) return { ok: false, reply: merged.problems.map((p) => `- ${escapeMarkdown(p)}`).join("\n") };
    const lines = merged.variables.map((v) => `- ${codeSpan(v.name)}${shownValue(v, intent.repository.private)} (${SOURCES[v.source]})`);
    const identity = IDENTITY_NAMES.map((name) => codeSpan(name)).join(", ");
    const notes = [
      intent.repository.private ? "" : "Values are not shown on a public repository.",
      trusted ? "" : "This pull request's code is untrusted (a fork or a bot), so its builds get no secrets.",
    ].filter(Boolean);
    return {
      ok: true,
      reply: [`Variables of the ${what} (${environment} environment):`, "", ...lines, "", `The app also sets ${identity}.`, ...notes].join("\n"),
    };
  },
};

function shownValue(variable: BuildVariable, privateRepository: boolean): string {
  if (variable.type === "SECRETS_MANAGER") return ` = ${codeSpan(MASK)}`;
  return privateRepository ? ` = ${codeSpan(variable.value)}` : "";
}

async function target(requested: "all" | EnvironmentName, { intent, octokit, deps }: CommandContext) {
  if (intent.isPullRequest) {
    const { trigger } = await pullRequestOf(octokit, intent);
    const fork = trigger.fromFork;
    const untrusted = untrustedOrigin(trigger, deps.settings.trustedBots) !== null;
    return {
      environment: requested === "all" ? ("preview" as const) : requested,
      // As a build reads it: a fork's config comes from the base repository's default branch.
      ref: fork ? intent.repository.defaultBranch : trigger.headSha,
      trusted: !untrusted,
      what: "next build of this pull request",
    };
  }
  return {
    environment: requested === "all" ? ("production" as const) : requested,
    ref: intent.repository.defaultBranch,
    trusted: true,
    what: `next build of ${intent.repository.defaultBranch}`,
  };
}
