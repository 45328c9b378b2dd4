import type { Actor, RepositoryRef } from "../domain/trigger.js";
import type { ParsedLine } from "./types.js";

/** A comment's slash commands as intake records them: typed commands, never the comment's text. */
export interface CommentIntent {
  kind: "comment";
  deliveryId: string;
  installationId: number;
  repository: RepositoryRef;
  sender: Actor;
  issueNumber: number;
  isPullRequest: boolean;
  commentId: number;
  commands: ParsedLine[];
  /** More command lines than one comment may hold: how many were found. */
  tooMany?: number;
  /** A `/secret` line is among them (also past the tenth): the comment must be deleted. */
  holdsSecret: boolean;
}
