import type { ProbotOctokit } from "probot";
import type { PullRequestTrigger } from "../../domain/trigger.js";
import type { CommentIntent } from "../../commands/intent.js";

export interface OpenPullRequest {
  /** The pull request as a trigger for its next build, carrying the comment's delivery. */
  trigger: PullRequestTrigger;
  open: boolean;
}

/** The pull request a comment was made on, as the build of its head would see it. */
export async function pullRequestOf(octokit: ProbotOctokit, intent: CommentIntent): Promise<OpenPullRequest> {
  const { data: pr } = await octokit.rest.pulls.get({ owner: intent.repository.owner, repo: intent.repository.name, pull_number: intent.issueNumber });
  return {
    open: pr.state === "open",
    trigger: {
      kind: "pull_request",
      action: "synchronize",
      deliveryId: intent.deliveryId,
      installationId: intent.installationId,
      repository: intent.repository,
      sender: intent.sender,
      number: pr.number,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      fromFork: pr.head.repo === null || pr.head.repo.id !== pr.base.repo.id,
      author: { login: pr.user.login, id: pr.user.id, type: pr.user.type },
    },
  };
}
