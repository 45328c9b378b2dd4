import type { RepositoryRef } from "../domain/trigger.js";

/** What the app says back to a comment with (SPEC 6): eyes on receipt, then +1 or -1. */
export type Reaction = "eyes" | "+1" | "-1";

/** The comment a conversation answers. */
export interface CommentRef {
  installationId: number;
  repository: RepositoryRef;
  /** The issue or pull request it was made on. */
  issueNumber: number;
  commentId: number;
}

/**
 * The thread of one comment, as the app writes to it. The port owns the rules every write follows:
 * each waits its turn in the installation's write budget, and every reply is masked with the
 * repository's secrets before it leaves, so no caller budgets or masks by hand.
 */
export interface Conversation {
  react(content: Reaction): Promise<void>;
  /** Markdown; masked inside the port. */
  reply(markdown: string): Promise<void>;
  /** Deleting a comment also removes its edit history, where a secret would otherwise stay; one already gone is fine. */
  deleteComment(): Promise<void>;
}
