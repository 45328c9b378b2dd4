import type { Context, MiddlewareHandler } from "hono";
import { decideAccess, type AccessNeed } from "./access-rules.js";
import { apiError } from "./errors.js";
import { bearerToken, type GitHubUser, type GitHubUsers, type RepositoryName } from "./github-user.js";
import type { RepositoryAccess, RepositoryAccessResolver } from "./repository-access.js";

/** What a repository route knows once the caller is let in. */
export type RepositoryEnv = { Variables: { user: GitHubUser; access: RepositoryAccess } };

export interface ApiAuthDependencies {
  users: Pick<GitHubUsers, "configured" | "userForToken">;
  access: Pick<RepositoryAccessResolver, "access">;
}

const REALM = 'Bearer realm="codebuild-checks"';

/** The repository a request names: found by its name, or by GitHub's id (then its id must match too); `said` is how a refusal names it. */
export interface LocatedRepository {
  name: RepositoryName | undefined;
  id?: number;
  said: string;
}

/** How a route names its repository. */
export type RepositoryLocator = (c: Context, token: string, user: GitHubUser) => Promise<LocatedRepository>;

/** `/api/repos/:owner/:repo/…` (SPEC 7). */
export const byOwnerAndName: RepositoryLocator = async (c) => {
  const { owner, repo } = c.req.param() as { owner: string; repo: string };
  return { name: { owner, repo }, said: `${owner}/${repo}` };
};

/** GitHub's repository ids: positive integers (JavaScript's safe ones, far above any GitHub has given). */
const REPOSITORY_ID = /^[1-9][0-9]{0,14}$/;

/**
 * `/api/projects/:repositoryId/…`, the seed plan's routes (SPEC 7: a project is a repository, by its
 * numeric id): the id found among the repositories the user reaches through the app, then let in
 * by the same rules as by name.
 */
export function byRepositoryId(users: Pick<GitHubUsers, "repositoryOf">): RepositoryLocator {
  return async (c, token, user) => {
    const raw = c.req.param("repositoryId") ?? "";
    if (!REPOSITORY_ID.test(raw)) return { name: undefined, said: "with that id (a repository's id is a number)" };
    const id = Number(raw);
    return { name: await users.repositoryOf(token, user, id), id, said: `with id ${id}` };
  };
}

/**
 * Lets a caller into `/api/repos/:owner/:repo/…` (or the repository `locate` finds) in SPEC 7's
 * order: 401 without a token GitHub confirms as this app's, 404 where the app is not installed or the
 * user cannot read (the same answer, so nothing is revealed), 403 where the route needs write and the
 * user can only read.
 */
export function requireRepositoryAccess(
  deps: ApiAuthDependencies,
  need: AccessNeed,
  locate: RepositoryLocator = byOwnerAndName,
): MiddlewareHandler<RepositoryEnv> {
  return async (c, next) => {
    if (!deps.users.configured) {
      return apiError(
        c,
        503,
        "oauth_not_configured",
        "The API cannot check tokens: the app's operator must set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the GitHub App's OAuth credentials)",
      );
    }
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      c.header("www-authenticate", REALM);
      return apiError(c, 401, "unauthenticated", "Send a GitHub user token of this app as Authorization: Bearer <token>");
    }
    const user = await deps.users.userForToken(token);
    if (!user) {
      c.header("www-authenticate", `${REALM}, error="invalid_token"`);
      return apiError(c, 401, "invalid_token", "GitHub does not confirm this token as one issued to this app: sign in with the app again for a new token");
    }
    const located = await locate(c, token, user);
    const access = located.name && (await deps.access.access(located.name.owner, located.name.repo, user));
    // By id, the name found must still be that repository's (a rename or a transfer between the two reads).
    const decision = located.id !== undefined && access?.repository.id !== located.id ? "not_found" : decideAccess(access, need);
    if (decision === "not_found" || !access) {
      return apiError(
        c,
        404,
        "not_found",
        `No repository ${located.said} that you can read has this app installed: check the name, the app's installation and your access`,
      );
    }
    if (decision === "forbidden") {
      return apiError(
        c,
        403,
        "forbidden",
        `${access.repository.owner}/${access.repository.name} needs write permission for this; you can only read it. Ask an admin of the repository`,
      );
    }
    c.set("user", user);
    c.set("access", access);
    await next();
  };
}
