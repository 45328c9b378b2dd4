import { pullRequestOf } from "../../../adapters/github/pulls.js";
import { codeSpan } from "../../../checks/markdown.js";
import type { CommandHandler } from "../context.js";
import type { Command } from "../../../commands/types.js";

/**
 * `/build [sha]`: builds the pull request's head. For a fork's pull request it is the approval,
 * which is for the commit that was reviewed: the head's full sha is required (a prefix can be matched
 * by a commit crafted for it).
 */
export const build: CommandHandler<Extract<Command, { verb: "build" }>> = {
  needsWrite: true,
  async run(command, { intent, octokit, deps }) {
    if (!intent.isPullRequest) return { ok: false, reply: "`/build` builds a pull request: comment on the pull request." };
    const { trigger, open } = await pullRequestOf(octokit, intent);
    if (!open) return { ok: false, reply: "This pull request is closed: reopen it to build it." };
    const head = trigger.headSha;
    if (command.sha !== undefined && !head.startsWith(command.sha)) {
      return {
        ok: false,
        reply: `${codeSpan(command.sha)} is not the head of this pull request (${codeSpan(head)}): an approval is for the commit that was reviewed. Review the new commits, then comment ${codeSpan(`/build ${head}`)}.`,
      };
    }
    if (trigger.fromFork && command.sha === undefined) {
      return {
        ok: false,
        reply: `This pull request comes from a fork, so building it is an approval of one commit: comment ${codeSpan(`/build ${head}`)} once you have reviewed it.`,
      };
    }
    if (trigger.fromFork && command.sha !== head) {
      return {
        ok: false,
        reply: `An approval of a fork's commit needs its full sha, since a fork can push a commit crafted to share a short one: comment ${codeSpan(`/build ${head}`)} once you have reviewed it.`,
      };
    }
    await deps.processTrigger({ ...trigger, ...(trigger.fromFork && { approvedSha: head }) });
    return { ok: true, reply: `Building ${codeSpan(head.slice(0, 7))}: the check run on the commit follows the build.` };
  },
};
