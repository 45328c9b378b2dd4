import type { Probot } from "probot";
import { mergeGroupTrigger, pullRequestTrigger, pushTrigger } from "../intake/payloads.js";
import type { receiver } from "./receive.js";

/** Push, pull request and merge queue events start builds. */
export function registerBuildEvents(app: Probot, receive: ReturnType<typeof receiver>): void {
  app.on("push", receive(pushTrigger));
  app.on(
    ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.closed"],
    receive(pullRequestTrigger),
  );
  app.on("merge_group.checks_requested", receive(mergeGroupTrigger));
}
