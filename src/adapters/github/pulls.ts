import type { ProbotOctokit } from "probot";
import type { RepositoryRef } from "../../domain/trigger.js";
import type { PullRequestFacts, PullRequests } from "../../ports/pull-requests.js";

/** A repository's pull requests through the installation's Octokit. */
export class GitHubPullRequests implements PullRequests {
  constructor(
    private readonly octokit: ProbotOctokit,
    private readonly repository: RepositoryRef,
  ) {}

  async get(number: number): Promise<PullRequestFacts> {
    const { data: pr } = await this.octokit.rest.pulls.get({ owner: this.repository.owner, repo: this.repository.name, pull_number: number });
    return {
      number: pr.number,
      open: pr.state === "open",
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
      fromFork: pr.head.repo === null || pr.head.repo.id !== pr.base.repo.id,
      author: { login: pr.user.login, id: pr.user.id, type: pr.user.type },
    };
  }
}
