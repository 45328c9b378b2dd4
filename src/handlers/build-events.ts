import type { Probot } from "probot";
import { checkRunRerunIntent, checkSuiteRerunIntent, mergeGroupTrigger, pullRequestTrigger, pushTrigger } from "../intake/payloads.js";
import type { receiver } from "./receive.js";

/** Push, pull request and merge queue events start builds; re-run requests start them again. */
export function registerBuildEvents(app: Probot, receive: ReturnType<typeof receiver>): void {
  app.on("push", receive(pushTrigger));
  app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.closed"], receive(pullRequestTrigger));
  app.on("merge_group.checks_requested", receive(mergeGroupTrigger));
  app.on("check_run.rerequested", receive(checkRunRerunIntent));
  app.on("check_suite.rerequested", receive(checkSuiteRerunIntent));
}
