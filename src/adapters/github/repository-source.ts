import type { ProbotOctokit } from "probot";
import type { RepositorySource } from "../../ports/repository-source.js";

/**
 * A build's repository through GitHub (SPEC 9): a token limited to that one repository and
 * `contents: read` (a build that leaks it can read that repository's code and nothing else, for an
 * hour at most), then the repository that token can see, by its id, for its clone URL — which must
 * be on the configured GitHub's host, the only place the token is sent. GitHub's REST API documents
 * no lookup of a repository by id; the token's own list of repositories is one.
 */
export function gitHubRepositorySource(appOctokit: () => Promise<ProbotOctokit>, githubWebUrl: string): RepositorySource {
  return async ({ installationId, repositoryId }) => {
    const octokit = await appOctokit();
    const { data: token } = await octokit.rest.apps.createInstallationAccessToken({
      installation_id: installationId,
      repository_ids: [repositoryId],
      permissions: { contents: "read" },
    });
    const Octokit = octokit.constructor as new (options: { auth: { token: string } }) => ProbotOctokit;
    const { data } = await new Octokit({ auth: { token: token.token } }).rest.apps.listReposAccessibleToInstallation({ per_page: 100 });
    const repository = data.repositories.find((r) => r.id === repositoryId);
    if (!repository) throw new Error(`GitHub does not show repository ${repositoryId} to this installation: is the app still installed on it?`);
    const host = new URL(githubWebUrl).origin;
    if (new URL(repository.clone_url).origin !== host) {
      throw new Error(`GitHub gave the clone URL ${repository.clone_url}, which is not on ${host}: the token is sent to ${host} only`);
    }
    return { cloneUrl: repository.clone_url, token: token.token };
  };
}
