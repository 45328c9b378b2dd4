import { z } from "zod";
import { failure } from "../../../commands/arguments.js";
import { defineCommand } from "../command.js";

/** `/cancel`: stops the pull request's running builds; their check runs complete cancelled. */
export const cancel = defineCommand({
  verb: "cancel",
  usage: "/cancel",
  effect: "stop this PR's running builds; their runs complete `cancelled`",
  needsWrite: true,
  schema: z.object({ verb: z.literal("cancel") }),

  parse: (args) => (args.length === 0 ? { ok: true, command: { verb: "cancel" } } : failure("/cancel takes no arguments")),

  async run(_command, { intent, stopPullRequestBuilds }) {
    if (!intent.isPullRequest) return { ok: false, reply: "`/cancel` stops a pull request's builds: comment on the pull request." };
    const stopped = await stopPullRequestBuilds(intent.issueNumber);
    return stopped === 0
      ? { ok: true, reply: "No build of this pull request is running." }
      : {
          ok: true,
          reply: `Stopped ${stopped === 1 ? "1 running build" : `${stopped} running builds`}; ${stopped === 1 ? "its check run completes" : "their check runs complete"} as cancelled.`,
        };
  },
});
