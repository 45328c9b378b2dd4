import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { createHttpApp, httpHandler } from "../../src/http/app.js";
import { envRoutes } from "../../src/http/env-routes.js";
import { GitHubUsers } from "../../src/http/github-user.js";
import { RepositoryAccessResolver } from "../../src/http/repository-access.js";
import type { Settings } from "../../src/settings.js";
import { SecretTags } from "../../src/workflows/variables/secret-tags.js";
import { VariableEditor } from "../../src/workflows/variables/editor.js";
import { testPrivateKey } from "../support/fake-github.js";
import { validateGitHubRequest } from "../support/openapi.js";
import { MemorySecretStore } from "../support/memory-secret-store.js";
import { MemoryVariableStore } from "../support/memory-variable-store.js";
import { serveHandler } from "../support/serve-handler.js";

export const GITHUB_API = "https://api.github.com";
export const OAUTH = { clientId: "Iv1.clientid0123", clientSecret: "client-secret-0123456789" };

export interface GitHubRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
}

interface RepositoryState {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  installationId?: number;
  /** False: installed on the account, but the repository is not among the installation's selection. */
  selected?: boolean;
  /** Permission per login, as GitHub's `permission` field reports it. */
  permissions: Record<string, string>;
}

/**
 * GitHub's REST API at api.github.com as nock, with just what the API asks: token checks,
 * installations, repositories and permissions. Every request is recorded and checked
 * against GitHub's OpenAPI description.
 */
export class FakeGitHubApi {
  readonly requests: GitHubRequest[] = [];
  readonly invalid: { method: string; path: string; problems: string[] }[] = [];
  /** Tokens GitHub knows as this app's, with their user. */
  readonly tokens = new Map<string, { login: string; id: number }>();
  readonly repositories = new Map<string, RepositoryState>();
  /** Status GitHub answers every token check with, when set (e.g. 401 for bad client credentials). */
  tokenCheckStatus: number | undefined;

  repository(state: RepositoryState): void {
    this.repositories.set(`${state.owner}/${state.name}`.toLowerCase(), state);
  }

  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  install(): void {
    const scope = nock(GITHUB_API).persist();
    const record = (method: string, path: string, body: unknown, authorization: string | undefined) => {
      this.requests.push({ method, path, body, authorization });
      const problems = validateGitHubRequest(method, path, body === undefined ? undefined : JSON.stringify(body));
      if (problems.length > 0) this.invalid.push({ method, path, problems });
    };
    // Arrow functions cannot see nock's `this.req`; these need the Authorization header.
    /* eslint-disable @typescript-eslint/no-this-alias */
    const fake = this;
    scope.post(/^\/applications\/[^/]+\/token$/).reply(function (uri, body) {
      record("POST", uri, body, header(this.req.headers.authorization));
      if (fake.tokenCheckStatus) return [fake.tokenCheckStatus, { message: "Bad credentials" }];
      const token = (body as { access_token?: string }).access_token ?? "";
      const user = fake.tokens.get(token);
      if (!user) return [404, { message: "Not Found" }];
      return [200, { id: 1, token, hashed_token: "x", expires_at: null, user: { login: user.login, id: user.id, type: "User" } }];
    });
    scope.post(/^\/app\/installations\/\d+\/access_tokens$/).reply(function (uri, body) {
      record("POST", uri, body || undefined, header(this.req.headers.authorization));
      return [201, { token: `ghs_installation_${uri.split("/")[3]}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} }];
    });
    scope.get(/^\/repos\/[^/]+\/[^/]+\/installation$/).reply(function (uri) {
      record("GET", uri, undefined, header(this.req.headers.authorization));
      const repo = fake.find(uri);
      if (!repo?.installationId) return [404, { message: "Not Found" }];
      return [200, { id: repo.installationId, account: { login: repo.owner, id: 7 }, app_id: 1 }];
    });
    scope.get(/^\/repos\/[^/]+\/[^/]+$/).reply(function (uri) {
      record("GET", uri, undefined, header(this.req.headers.authorization));
      const repo = fake.find(uri);
      if (!repo?.installationId || repo.selected === false) return [404, { message: "Not Found" }];
      return [200, { id: repo.id, name: repo.name, full_name: `${repo.owner}/${repo.name}`, private: repo.private, owner: { login: repo.owner, id: 7 } }];
    });
    scope.get(/^\/repos\/[^/]+\/[^/]+\/collaborators\/[^/]+\/permission$/).reply(function (uri) {
      record("GET", uri, undefined, header(this.req.headers.authorization));
      const login = decodeURIComponent(uri.split("/")[5] ?? "");
      const permission = fake.find(uri)?.permissions[login];
      if (permission === undefined) return [404, { message: "Not Found" }];
      return [200, { permission, role_name: permission, user: { login } }];
    });
    // A GitHub App's user token reaches the app's installations where the user has a repository, and there the repositories the user may access.
    scope.get(/^\/user\/installations(\?.*)?$/).reply(function (uri) {
      record("GET", uri, undefined, header(this.req.headers.authorization));
      const login = fake.userOf(header(this.req.headers.authorization))?.login;
      if (!login) return [401, { message: "Bad credentials" }];
      const ids = [...new Set(fake.reachable(login).map((r) => r.installationId!))];
      return [200, { total_count: ids.length, installations: ids.map((id) => ({ id, account: { login: "octo", id: 7 }, app_id: 1 })) }];
    });
    scope.get(/^\/user\/installations\/\d+\/repositories(\?.*)?$/).reply(function (uri) {
      record("GET", uri, undefined, header(this.req.headers.authorization));
      const login = fake.userOf(header(this.req.headers.authorization))?.login;
      if (!login) return [401, { message: "Bad credentials" }];
      const installationId = Number(uri.split("/")[3]);
      const repositories = fake.reachable(login).filter((r) => r.installationId === installationId);
      return [
        200,
        {
          total_count: repositories.length,
          repositories: repositories.map((r) => ({
            id: r.id,
            name: r.name,
            full_name: `${r.owner}/${r.name}`,
            private: r.private,
            owner: { login: r.owner, id: 7 },
          })),
        },
      ];
    });
    /* eslint-enable @typescript-eslint/no-this-alias */
  }

  /** The user a `token …` Authorization header carries. */
  private userOf(authorization: string | undefined): { login: string; id: number } | undefined {
    return this.tokens.get(authorization?.replace(/^(token|bearer) /i, "") ?? "");
  }

  /** Repositories of the app's installations that `login` has a permission on. */
  private reachable(login: string): RepositoryState[] {
    return [...this.repositories.values()].filter((r) => r.installationId !== undefined && r.selected !== false && (r.permissions[login] ?? "none") !== "none");
  }

  private find(uri: string): RepositoryState | undefined {
    const [, , owner, name] = uri.split("/");
    return this.repositories.get(`${owner}/${name}`.toLowerCase());
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export interface ApiHarness {
  url: string;
  github: FakeGitHubApi;
  variables: MemoryVariableStore;
  secrets: MemorySecretStore;
  editor: VariableEditor;
  /** Moves the clock the caches see. */
  advance(ms: number): void;
  /** Every response body the API sent, for checks that no secret value leaks. */
  bodies: string[];
  /** Everything the API logged. */
  logs: string[];
  request(
    method: string,
    path: string,
    options?: { token?: string | null; authorization?: string; body?: unknown },
  ): Promise<{ status: number; headers: Headers; json: unknown; text: string }>;
  close(): Promise<void>;
}

/**
 * The HTTP API as the app serves it (the Probot handler inside a plain node:http server that
 * answers 404 itself for what the handler declines), with GitHub faked and in-memory stores.
 */
export async function startApi(options: { oauth?: Settings["oauth"] | null; deniedOwners?: string[] } = {}): Promise<ApiHarness> {
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1:\d+$/);
  const github = new FakeGitHubApi();
  github.install();

  let now = Date.parse("2024-05-01T12:00:00Z");
  const clock = () => now;
  const logs: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), log: pino({ level: "silent" }) });
  const variables = new MemoryVariableStore(() => new Date(now));
  const secrets = new MemorySecretStore();
  const editor = new VariableEditor(variables, secrets, "codebuild-checks/", { tags: new SecretTags(secrets), domainOf: () => "shared-builds" });
  const settings = { githubApiUrl: GITHUB_API, oauth: options.oauth === null ? undefined : (options.oauth ?? OAUTH) };
  const denied = new Set(options.deniedOwners ?? []);
  const hono = createHttpApp(log, [
    envRoutes({
      users: new GitHubUsers(settings, clock),
      access: new RepositoryAccessResolver(
        { app: () => probot.auth(), installation: (id) => probot.auth(id) },
        { allows: async (login) => !denied.has(login) },
        clock,
      ),
      variables,
      editor,
    }),
  ]);
  const served = await serveHandler(httpHandler(hono), "not the API's");
  const url = served.url;
  const bodies: string[] = [];

  return {
    url,
    github,
    variables,
    secrets,
    editor,
    bodies,
    logs,
    advance: (ms) => void (now += ms),
    async request(method, path, { token = "gho_writer", authorization, body } = {}) {
      const headers: Record<string, string> = {};
      if (authorization !== undefined) headers.authorization = authorization;
      else if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      bodies.push(text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json, text };
    },
    async close() {
      await served.close();
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}
