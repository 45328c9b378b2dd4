import { z } from "zod";
import { quoted, readOptions, understood } from "../../../commands/arguments.js";
import { scopeSchema } from "../../../commands/schemas.js";
import { codeSpan, escapeMarkdown, markdownLink } from "../../../checks/markdown.js";
import type { CommentIntent } from "../../../commands/intent.js";
import type { PushTrigger, Trigger } from "../../../domain/trigger.js";
import { IDENTITY_NAMES } from "../../../domain/variable-names.js";
import type { BuildVariable, VariableSource } from "../../../domain/variables.js";
import { mergeVariables } from "../../../variables/merge.js";
import { MASK } from "../../../variables/masking.js";
import { defineCommand, type CommandPorts } from "../command.js";
import { nextBuildOf } from "../pull-request-trigger.js";
import type { DeploymentThread } from "../../../deployments/thread.js";
import { shortSha } from "../../../checks/title.js";

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
 * `/env list [--environment E]`: the variables the next build would get — on a pull request the
 * build of its head, elsewhere the default branch's — by name and source; plain values only on a
 * private repository, secrets never. Which config, environment and trust: as processing decides them
 * (decideTrigger), for the build once started (a fork's approval and path filters aside); E, when
 * given, replaces the environment.
 */
export const envList = defineCommand({
  verb: "env list",
  usage: "/env list [--environment E]",
  effect:
    "reply with the variables this PR's next build would get: names, environment and source of each; plain values only on a private repository; secrets as `***`",
  needsWrite: true,
  schema: z.object({ verb: z.literal("env list"), environment: scopeSchema }),

  parse(args) {
    const { environment, positional, problems } = readOptions(args, "/env list");
    if (positional[0] !== undefined) problems.push(`/env list takes no arguments but --environment; found ${quoted(positional[0])}`);
    return understood({ verb: "env list", environment }, problems);
  },

  async run(command, { intent, pullRequests, decideNextBuild, variables, deploymentThread }) {
    const { trigger, what } = intent.isPullRequest ? await pullRequestBuild(intent, pullRequests) : defaultBranchBuild(intent);
    const decided = await decideNextBuild(trigger);
    if (!decided.ok) {
      return { ok: false, reply: `The ${what}'s .github/codebuild.yml is invalid, so no build would start: push a fix (its check run lists the problems).` };
    }
    const { decision, config } = decided;
    if (decision.kind !== "build") {
      const why = decision.kind === "ignore" ? decision.reason : decision.title;
      return { ok: false, reply: `No ${what} would start (${escapeMarkdown(why)}), so no variables would be set.` };
    }
    const { trusted } = decision.plan;
    const environment = command.environment === "all" ? decision.plan.environment : command.environment;
    const merged = mergeVariables({ config, environment, stored: await variables.entries(), identity: {}, trusted });
    if (!merged.ok) return { ok: false, reply: merged.problems.map((p) => `- ${escapeMarkdown(p)}`).join("\n") };
    const lines = merged.variables.map((v) => `- ${codeSpan(v.name)}${shownValue(v, intent.repository.private)} (${SOURCES[v.source]})`);
    const identity = IDENTITY_NAMES.map((name) => codeSpan(name)).join(", ");
    const preview = intent.isPullRequest ? latestPreview(await deploymentThread(intent.issueNumber)) : "";
    const notes = [
      preview,
      intent.repository.private ? "" : "Values are not shown on a public repository.",
      trusted ? "" : "This pull request's code is untrusted (a fork or a bot), so its builds get no secrets.",
    ].filter(Boolean);
    return {
      ok: true,
      reply: [`Variables of the ${what} (${environment} environment):`, "", ...lines, "", `The app also sets ${identity}.`, ...notes].join("\n"),
    };
  },
});

/** The pull request's latest preview that has an address (SPEC 10), as its deployment comment shows it. */
function latestPreview(thread: DeploymentThread | undefined): string {
  const deployed = thread?.entries.find((entry) => entry.url !== undefined);
  if (!deployed?.url) return "";
  return `Latest preview: ${markdownLink(deployed.url, deployed.url)} (commit ${codeSpan(shortSha(deployed.sha))}).`;
}

function shownValue(variable: BuildVariable, privateRepository: boolean): string {
  if (variable.type === "SECRETS_MANAGER") return ` = ${codeSpan(MASK)}`;
  return privateRepository ? ` = ${codeSpan(variable.value)}` : "";
}

/** The next build of the pull request's head, approved: what it gets once it runs. */
async function pullRequestBuild(intent: CommentIntent, pullRequests: CommandPorts["pullRequests"]): Promise<{ trigger: Trigger; what: string }> {
  const pr = await pullRequests.get(intent.issueNumber);
  return { trigger: { ...nextBuildOf(pr, intent), approvedSha: pr.headSha }, what: "next build of this pull request" };
}

/** The next push to the default branch, its config read at the branch (a push's config ref is what it pushed). */
function defaultBranchBuild(intent: CommentIntent): { trigger: PushTrigger; what: string } {
  const branch = intent.repository.defaultBranch;
  const trigger: PushTrigger = {
    kind: "push",
    deliveryId: intent.deliveryId,
    installationId: intent.installationId,
    repository: intent.repository,
    sender: intent.sender,
    ref: `refs/heads/${branch}`,
    before: branch,
    after: branch,
    created: false,
    deleted: false,
    headCommitMessage: null,
    changedFiles: null,
  };
  return { trigger, what: `next build of ${branch}` };
}
