/** Where a build's repository is fetched from, and with what. */
export interface RepositoryFetch {
  /** The clone URL, as GitHub gives it for the repository's id. */
  cloneUrl: string;
  /** A token that can read the repository's contents, or undefined to fetch without one. */
  token?: string;
}

/**
 * Finds a repository to fetch by its id, through GitHub (SPEC 9): a clone URL is never taken from
 * stored data, which would let whoever can write that data send the token where they like.
 */
export type RepositorySource = (repository: { installationId: number; repositoryId: number }) => Promise<RepositoryFetch>;
