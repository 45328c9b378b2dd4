import type { CommentIntent } from "../../commands/intent.js";
import type { PullRequestTrigger } from "../../domain/trigger.js";
import type { PullRequestFacts } from "../../ports/pull-requests.js";

/** The pull request a comment was made on, as a trigger for the next build of its head, carrying the comment's delivery. */
export function nextBuildOf(pr: PullRequestFacts, intent: CommentIntent): PullRequestTrigger {
  return {
    kind: "pull_request",
    action: "synchronize",
    deliveryId: intent.deliveryId,
    installationId: intent.installationId,
    repository: intent.repository,
    sender: intent.sender,
    number: pr.number,
    headSha: pr.headSha,
    headRef: pr.headRef,
    baseRef: pr.baseRef,
    fromFork: pr.fromFork,
    author: pr.author,
  };
}
