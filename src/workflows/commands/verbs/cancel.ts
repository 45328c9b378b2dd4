import { stopPullRequestBuilds } from "../../builds/process.js";
import type { CommandHandler } from "../context.js";
import type { Command } from "../../../commands/types.js";

/** `/cancel`: stops the pull request's running builds; their check runs complete cancelled. */
export const cancel: CommandHandler<Extract<Command, { verb: "cancel" }>> = {
  needsWrite: true,
  async run(_command, { intent, deps }) {
    if (!intent.isPullRequest) return { ok: false, reply: "`/cancel` stops a pull request's builds: comment on the pull request." };
    const stopped = await stopPullRequestBuilds(intent.repository.id, intent.issueNumber, deps);
    return stopped === 0
      ? { ok: true, reply: "No build of this pull request is running." }
      : { ok: true, reply: `Stopped ${stopped === 1 ? "1 running build" : `${stopped} running builds`}; ${stopped === 1 ? "its check run completes" : "their check runs complete"} as cancelled.` };
  },
};
