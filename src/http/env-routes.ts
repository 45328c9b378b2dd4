import { Hono } from "hono";
import type { VariableEditor } from "../workflows/variables/editor.js";
import type { VariableStore } from "../ports/variable-store.js";
import type { Handler } from "hono";
import { byOwnerAndName, byRepositoryId, requireRepositoryAccess, type ApiAuthDependencies, type RepositoryEnv, type RepositoryLocator } from "./api-auth.js";
import type { GitHubUsers } from "./github-user.js";
import { decideAccess } from "./access-rules.js";
import { envPutSchema, envQuerySchema, envVarViews, editorIssues, variableChanges } from "./env-vars.js";
import { apiError } from "./errors.js";

export interface EnvRoutesDependencies extends ApiAuthDependencies {
  users: ApiAuthDependencies["users"] & Pick<GitHubUsers, "repositoryOf">;
  variables: Pick<VariableStore, "list">;
  editor: Pick<VariableEditor, "replace">;
}

const ENV_PATH = "/api/repos/:owner/:repo/env";
/** The seed plan's twin of ENV_PATH: a project is a repository, named by GitHub's id (SPEC 7). */
const PROJECT_ENV_PATH = "/api/projects/:repositoryId/env";

/**
 * SPEC 7: a repository's stored variables over HTTP; secret values never leave the app. Served at
 * both paths by the same handlers, so a client of either gets the same answers.
 */
export function envRoutes(deps: EnvRoutesDependencies): Hono {
  const routes = new Hono();
  const { list, replace } = envHandlers(deps);
  for (const [path, locate] of [
    [ENV_PATH, byOwnerAndName],
    [PROJECT_ENV_PATH, byRepositoryId(deps.users)],
  ] as [string, RepositoryLocator][]) {
    routes.get(path, requireRepositoryAccess(deps, "read", locate), list);
    routes.put(path, requireRepositoryAccess(deps, "write", locate), replace);
  }
  return routes;
}

function envHandlers(deps: EnvRoutesDependencies): { list: Handler<RepositoryEnv>; replace: Handler<RepositoryEnv> } {
  const list: Handler<RepositoryEnv> = async (c) => {
    const query = envQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      return apiError(c, 400, "invalid_request", "The query does not fit GET …/env: fix the parameters named in issues", query.error.issues);
    }
    const access = c.get("access");
    const scope = query.data.environment;
    const entries = await deps.variables.list(access.repository.id, scope && [scope]);
    return c.json({ envVars: envVarViews(entries, decideAccess(access, "write") === "allowed") });
  };

  const replace: Handler<RepositoryEnv> = async (c) => {
    let json: unknown;
    try {
      json = JSON.parse(await c.req.text());
    } catch {
      return apiError(c, 400, "invalid_request", 'The body is not JSON: send {"environment":…,"envVars":[{"key","value","isSecret"}]}');
    }
    const body = envPutSchema.safeParse(json);
    if (!body.success) {
      return apiError(c, 400, "invalid_request", "The body does not fit PUT …/env: fix the fields named in issues", body.error.issues);
    }
    const { repository } = c.get("access");
    const { environment } = body.data;
    const result = await deps.editor.replace(
      { id: repository.id, fullName: `${repository.owner}/${repository.name}` },
      environment,
      variableChanges(body.data),
      { actor: c.get("user").login, via: "api" },
    );
    if (!result.ok) {
      return apiError(c, 400, "invalid_request", "Some variables cannot be stored: fix the fields named in issues", editorIssues(result.problems));
    }
    return c.json({ envVars: envVarViews(await deps.variables.list(repository.id, [environment]), true) });
  };
  return { list, replace };
}
