import type { ProbotOctokit } from "probot";
import type { CommentRef, Conversation, Reaction } from "../../ports/conversation.js";
import type { GitHubWriteBudget } from "../../ports/write-budget.js";
import type { Masker } from "../../variables/masking.js";

/**
 * A comment's thread on GitHub: reactions, replies and the comment's deletion through the
 * installation's write budget (creating a reaction or a comment counts against the hourly cap of
 * content creations; deleting does not), replies masked with the repository's secrets.
 */
export class GitHubConversation implements Conversation {
  private readonly target: { owner: string; repo: string };

  constructor(
    private readonly octokit: ProbotOctokit,
    private readonly budget: Pick<GitHubWriteBudget, "once">,
    private readonly comment: CommentRef,
    /** The masker of the repository's secrets, made when the first reply is sent. */
    private readonly masker: () => Promise<Masker>,
  ) {
    this.target = { owner: comment.repository.owner, repo: comment.repository.name };
  }

  async react(content: Reaction): Promise<void> {
    await this.budget.once("creates", () => this.octokit.rest.reactions.createForIssueComment({ ...this.target, comment_id: this.comment.commentId, content }));
  }

  async reply(markdown: string): Promise<void> {
    const body = (await this.masker()).mask(markdown);
    await this.budget.once("creates", () => this.octokit.rest.issues.createComment({ ...this.target, issue_number: this.comment.issueNumber, body }));
  }

  async deleteComment(): Promise<void> {
    await this.budget.once("changes", async () => {
      try {
        await this.octokit.rest.issues.deleteComment({ ...this.target, comment_id: this.comment.commentId });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    });
  }
}
