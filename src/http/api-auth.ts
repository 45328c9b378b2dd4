import type { MiddlewareHandler } from "hono";
import { decideAccess, type AccessNeed } from "./access-rules.js";
import { apiError } from "./errors.js";
import { bearerToken, type GitHubUser, type GitHubUsers } from "./github-user.js";
import type { RepositoryAccess, RepositoryAccessResolver } from "./repository-access.js";

/** What a repository route knows once the caller is let in. */
export type RepositoryEnv = { Variables: { user: GitHubUser; access: RepositoryAccess } };

export interface ApiAuthDependencies {
  users: Pick<GitHubUsers, "configured" | "userForToken">;
  access: Pick<RepositoryAccessResolver, "access">;
}

const REALM = 'Bearer realm="codebuild-checks"';

/**
 * Lets a caller into `/api/repos/:owner/:repo/…` in SPEC 7's order: 401 without a token GitHub
 * confirms as this app's, 404 where the app is not installed or the user cannot read (the same
 * answer, so nothing is revealed), 403 where the route needs write and the user can only read.
 */
export function requireRepositoryAccess(deps: ApiAuthDependencies, need: AccessNeed): MiddlewareHandler<RepositoryEnv> {
  return async (c, next) => {
    if (!deps.users.configured) {
      return apiError(c, 503, "oauth_not_configured", "The API cannot check tokens: the app's operator must set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the GitHub App's OAuth credentials)");
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
    const { owner, repo } = c.req.param() as { owner: string; repo: string };
    const access = await deps.access.access(owner, repo, user);
    const decision = decideAccess(access, need);
    if (decision === "not_found" || !access) {
      return apiError(c, 404, "not_found", `No repository ${owner}/${repo} that you can read has this app installed: check the name, the app's installation and your access`);
    }
    if (decision === "forbidden") {
      return apiError(c, 403, "forbidden", `${access.repository.owner}/${access.repository.name} needs write permission for this; you can only read it. Ask an admin of the repository`);
    }
    c.set("user", user);
    c.set("access", access);
    await next();
  };
}
