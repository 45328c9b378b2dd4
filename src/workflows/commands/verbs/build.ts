import { z } from "zod";
import { failure, quoted } from "../../../commands/arguments.js";
import { codeSpan } from "../../../checks/markdown.js";
import { defineCommand } from "../command.js";
import { nextBuildOf } from "../pull-request-trigger.js";

/*
 * Regular expressions over comment lines (linear time): SHA is anchored with one bounded character
 * class.
 */
const SHA = /^[0-9a-fA-F]{7,40}$/;

/**
 * `/build [sha]`: builds the pull request's head. For a fork's pull request it is the approval,
 * which is for the commit that was reviewed: the head's full sha is required (a prefix can be matched
 * by a commit crafted for it).
 */
export const build = defineCommand({
  verb: "build",
  usage: "/build [sha]",
  effect:
    "build the PR head; the approval of a fork PR, where the sha is required and must be the current head's full 40 characters (an approval is for the commit that was reviewed)",
  needsWrite: true,
  schema: z.object({ verb: z.literal("build"), sha: z.string().optional() }),

  parse(args) {
    const [sha, ...extra] = args;
    if (extra.length > 0) return failure("/build takes at most one argument, the commit to build");
    if (sha === undefined) return { ok: true, command: { verb: "build" as const } };
    if (!SHA.test(sha)) return failure(`${quoted(sha)} is not a commit sha: give 7 to 40 hexadecimal characters, or nothing to build the head`);
    return { ok: true, command: { verb: "build" as const, sha: sha.toLowerCase() } };
  },

  async run(command, { intent, pullRequests, processTrigger }) {
    if (!intent.isPullRequest) return { ok: false, reply: "`/build` builds a pull request: comment on the pull request." };
    const pr = await pullRequests.get(intent.issueNumber);
    if (!pr.open) return { ok: false, reply: "This pull request is closed: reopen it to build it." };
    const head = pr.headSha;
    if (command.sha !== undefined && !head.startsWith(command.sha)) {
      return {
        ok: false,
        reply: `${codeSpan(command.sha)} is not the head of this pull request (${codeSpan(head)}): an approval is for the commit that was reviewed. Review the new commits, then comment ${codeSpan(`/build ${head}`)}.`,
      };
    }
    if (pr.fromFork && command.sha === undefined) {
      return {
        ok: false,
        reply: `This pull request comes from a fork, so building it is an approval of one commit: comment ${codeSpan(`/build ${head}`)} once you have reviewed it.`,
      };
    }
    if (pr.fromFork && command.sha !== head) {
      return {
        ok: false,
        reply: `An approval of a fork's commit needs its full sha, since a fork can push a commit crafted to share a short one: comment ${codeSpan(`/build ${head}`)} once you have reviewed it.`,
      };
    }
    const trigger = nextBuildOf(pr, intent);
    await processTrigger({ ...trigger, ...(pr.fromFork && { approvedSha: head }) });
    return { ok: true, reply: `Building ${codeSpan(head.slice(0, 7))}: the check run on the commit follows the build.` };
  },
});
