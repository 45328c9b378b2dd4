import type { Probot } from "probot";
import { commentIntent } from "../intake/payloads.js";
import type { receiver } from "./receive.js";

/** Created comments carry slash commands; edits and deletions are never read (SPEC 6). */
export function registerCommentEvents(app: Probot, receive: ReturnType<typeof receiver>): void {
  app.on("issue_comment.created", receive(commentIntent));
}
