import type { ProbotOctokit } from "probot";
import type { RepositoryRef } from "../../domain/trigger.js";
import type { MaskedText } from "../../variables/masking.js";

export type Reaction = "eyes" | "+1" | "-1";

const target = (repository: RepositoryRef) => ({ owner: repository.owner, repo: repository.name });

export async function react(octokit: ProbotOctokit, repository: RepositoryRef, commentId: number, content: Reaction): Promise<void> {
  await octokit.rest.reactions.createForIssueComment({ ...target(repository), comment_id: commentId, content });
}

/** A comment's body is masked text only (SPEC 5): no reply reaches GitHub unmasked. */
export async function reply(octokit: ProbotOctokit, repository: RepositoryRef, issueNumber: number, body: MaskedText): Promise<void> {
  await octokit.rest.issues.createComment({ ...target(repository), issue_number: issueNumber, body });
}

/** Deleting a comment also removes its edit history, where a secret would otherwise stay. */
export async function deleteComment(octokit: ProbotOctokit, repository: RepositoryRef, commentId: number): Promise<void> {
  try {
    await octokit.rest.issues.deleteComment({ ...target(repository), comment_id: commentId });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
}
