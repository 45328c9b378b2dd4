import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gitRepositoryOf, serveGit } from "./git-http.js";

export interface CheckRunState {
  id: number;
  name: string;
  head_sha: string;
  external_id?: string;
  details_url?: string;
  status: string;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: unknown[] };
  /** Every body sent for this run, in order. */
  history: Record<string, unknown>[];
}

/** A deployment as the stand-in keeps it: what was asked for, and every status sent, in order. */
export interface DeploymentState {
  id: number;
  /** `owner/repo` */
  repository: string;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  /** Every body sent to create it. */
  request: Record<string, unknown>;
  statuses: Record<string, unknown>[];
}

/** A comment on an issue or pull request, with every body it had (the first is the one it was created with). */
export interface IssueComment {
  id: number;
  issueNumber: number;
  body: string;
  /** The GitHub App that wrote it: the app's own comments have this stand-in's app (id 1). */
  appId?: number;
  login: string;
  bodies: string[];
}

/** One attempt to deliver a webhook, as GET /app/hook/deliveries lists it (GitHub's `hook-delivery-item`). */
export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  throttled_at?: string | null;
}

/** A request as GitHub receives it: the path as sent (`/api/v3/app?x=1`), the body as text. */
export interface StandInRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GitHub's answer: a JSON value, or text (a file's raw contents, an empty body). */
export interface StandInAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Route {
  method: string;
  path: RegExp;
  answer: (request: StandInRequest, url: URL) => StandInAnswer;
}

/** Where GitHub Enterprise serves the REST API; api.github.com serves the same paths at the root. */
export const ENTERPRISE_API_PREFIX = "/api/v3";

/** `owner/repo` of a `/api/v3/repos/{owner}/{repo}/…` path. */
function fullNameOf(url: URL): string {
  const [, , , , owner, repo] = url.pathname.split("/");
  return `${decodeURIComponent(owner ?? "")}/${decodeURIComponent(repo ?? "")}`;
}

/** The `index`th segment of a path (`/api/v3/repos/o/r/…` has `api` at 1). */
function segment(url: URL, index: number): string {
  return decodeURIComponent(url.pathname.split("/")[index] ?? "");
}

/** A JSON body as an object; a form body (`a=1&b=2`, as GitHub's OAuth endpoints take) as its fields. */
function fieldsOf(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return Object.fromEntries(new URLSearchParams(body));
  }
}

function header(request: StandInRequest, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}

const json = (status: number, body: unknown, headers?: Record<string, string>): StandInAnswer => ({ status, body, ...(headers && { headers }) });
const NOT_FOUND = json(404, { message: "Not Found" });

/**
 * A stand-in for GitHub at http://127.0.0.1:<port> (the app's GHE_PROTOCOL/GHE_HOST, REST API under
 * /api/v3): the requests the app makes, answered from a little state (files per ref, check runs,
 * permissions, comments, webhook deliveries), and git's smart HTTP protocol for the repositories it
 * holds. `npm run demo` runs the app against it, and the tests do, so that nothing leaves the machine.
 */
export class GitHubStandIn {
  readonly origin: string;
  readonly host: string;
  readonly checkRuns = new Map<number, CheckRunState>();
  /** `owner/repo@ref:path` → file contents */
  readonly files = new Map<string, string>();
  readonly pullFiles = new Map<number, string[]>();
  readonly permissions = new Map<string, string>();
  /** User tokens GitHub confirms were issued to the app (POST /applications/{client_id}/token). */
  readonly userTokens = new Map<string, { login: string; id: number }>();
  /** Comments the app wrote (and others' comments a test adds), reactions it made, comments it deleted. */
  readonly comments: IssueComment[] = [];
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly deletedComments: number[] = [];
  /** The user GitHub's OAuth web flow signs in (authorize approves at once), and codes issued. */
  oauthUser: { login: string; id: number } | undefined;
  private readonly oauthCodes = new Map<string, string>();
  /** Pull requests by number, as GET /repos/{owner}/{repo}/pulls/{n} answers. */
  readonly pulls = new Map<number, Record<string, unknown>>();
  /** Repositories the app is installed on: `owner/repo` → what GET /repos/{owner}/{repo} answers. */
  readonly repositories = new Map<string, { id: number; private: boolean; installationId: number; defaultBranch?: string }>();
  /** Repositories git can fetch from this host (`owner/repo` → a local working tree), over HTTP once `serve` runs. */
  readonly gitRepositories = new Map<string, string>();
  /** The Authorization header of every git request, in order (empty when git sent none). */
  readonly gitAuthorizations: string[] = [];
  /** Webhook delivery attempts, as GET /app/hook/deliveries lists them (newest first, by id); see addDelivery. */
  readonly deliveries: HookDelivery[] = [];
  /** Delivery attempt ids the app asked GitHub to redeliver (POST /app/hook/deliveries/{id}/attempts). */
  readonly redeliveries: number[] = [];
  /** Called on each accepted redelivery, so the sender can send the webhook to the app again. */
  onRedeliver?: (delivery: HookDelivery) => void;
  /** Token, check-run, delivery and repository-listing requests, in order; `failedWith` is the status of an answer made to fail. */
  readonly requests: { method: string; path: string; body: unknown; failedWith?: number }[] = [];
  /** Deployments by id. */
  readonly deployments = new Map<number, DeploymentState>();
  appOwner = "Codertocat";
  private readonly suites = new Map<string, number>();
  private nextId = 1000;
  private server: Server | undefined;
  private readonly routes: Route[] = this.defineRoutes();

  constructor(port: number) {
    this.host = `127.0.0.1:${port}`;
    this.origin = `http://${this.host}`;
  }

  /**
   * A repository of an installation whose code git fetches from `directory` (a working tree) at
   * `<origin>/<owner>/<repo>.git`, the clone URL this GitHub gives for it.
   */
  gitRepository(fullName: string, directory: string, repository: { id: number; installationId: number; private?: boolean }): void {
    this.repositories.set(fullName, { private: true, ...repository });
    this.gitRepositories.set(fullName, directory);
  }

  file(fullName: string, ref: string, path: string, content: string): void {
    this.files.set(`${fullName}@${ref}:${path}`, content);
  }

  /** The check suite of a commit's runs (made on first use). */
  suiteOf(sha: string): number {
    let id = this.suites.get(sha);
    if (id === undefined) this.suites.set(sha, (id = this.nextId++));
    return id;
  }

  runsFor(sha: string): CheckRunState[] {
    return [...this.checkRuns.values()].filter((r) => r.head_sha === sha);
  }

  /** Adds a delivery attempt (a new id, delivered now, answered 200 unless said otherwise). */
  addDelivery(attempt: Partial<HookDelivery> & Pick<HookDelivery, "guid">): HookDelivery {
    const statusCode = attempt.status_code ?? 200;
    const delivery: HookDelivery = {
      id: this.newId(),
      delivered_at: new Date().toISOString(),
      redelivery: false,
      duration: 0.1,
      status: statusCode >= 200 && statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`,
      status_code: statusCode,
      event: "push",
      action: null,
      installation_id: 7,
      repository_id: 1,
      throttled_at: null,
      ...attempt,
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  /** A fresh id for anything GitHub numbers (check runs, comments, deliveries). */
  newId(): number {
    return this.nextId++;
  }

  /** GitHub's answer to one request; unknown requests get 404 saying the stand-in has no reply. */
  handle(request: StandInRequest): StandInAnswer {
    return this.route(request) ?? this.noReply(request);
  }

  protected noReply(request: StandInRequest): StandInAnswer {
    return json(404, { message: `the GitHub stand-in has no reply for ${request.method} ${request.path}` });
  }

  /** The answer of the first route that matches, or undefined when none does. */
  protected route(request: StandInRequest): StandInAnswer | undefined {
    const url = new URL(request.path, this.origin);
    const route = this.routes.find((r) => r.method === request.method.toUpperCase() && r.path.test(request.path));
    return route?.answer(request, url);
  }

  /** Serves this GitHub over real HTTP at its origin, with git's smart HTTP protocol for its repositories. */
  async serve(): Promise<void> {
    const server = createServer((incoming, outgoing) => {
      const directory = this.gitRepositories.get(gitRepositoryOf(incoming.url) ?? "");
      if (directory === undefined) return void this.answerOverHttp(incoming, outgoing);
      this.gitAuthorizations.push(String(incoming.headers.authorization ?? ""));
      void serveGit(incoming, outgoing, directory);
    });
    const port = Number(this.host.split(":")[1]);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }

  private async answerOverHttp(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const request: StandInRequest = {
      method: incoming.method ?? "GET",
      path: incoming.url ?? "/",
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    const answer = this.handle(request);
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const type = typeof answer.body === "string" ? {} : { "content-type": "application/json; charset=utf-8" };
    outgoing.writeHead(answer.status, { ...type, ...answer.headers }).end(text);
  }

  /** A run as GitHub lists it: with its app and suite, without the stand-in's history. */
  private listed({ history: _history, ...run }: CheckRunState): Record<string, unknown> {
    return { ...run, app: { id: 1, slug: "codebuild-checks" }, check_suite: { id: this.suiteOf(run.head_sha) } };
  }

  /** A comment as GitHub's REST API describes it (the fields the app reads). */
  private commentJson(comment: IssueComment): Record<string, unknown> {
    return {
      id: comment.id,
      body: comment.body,
      user: { login: comment.login, type: comment.appId === undefined ? "User" : "Bot" },
      performed_via_github_app: comment.appId === undefined ? null : { id: comment.appId, slug: "codebuild-checks" },
    };
  }

  /** A deployment as GitHub's REST API describes it (the fields the app reads). */
  private deploymentJson(deployment: DeploymentState): Record<string, unknown> {
    const { request: _request, statuses: _statuses, repository: _repository, ...rest } = deployment;
    return { ...rest, task: "deploy" };
  }

  /** The installed repositories `login` has a permission on (permissions here are the same on every repository). */
  private reachable(login: string): [string, { id: number; installationId: number }][] {
    const permission = this.permissions.get(login) ?? "none";
    return permission === "none" ? [] : [...this.repositories.entries()];
  }

  /** A repository as GitHub's REST API describes it (the fields the app reads). */
  private repositoryJson(fullName: string): Record<string, unknown> | undefined {
    const repo = this.repositories.get(fullName);
    if (!repo) return undefined;
    const [owner, name] = fullName.split("/");
    return {
      id: repo.id,
      name,
      full_name: fullName,
      private: repo.private,
      owner: { login: owner },
      default_branch: repo.defaultBranch ?? "main",
      clone_url: `${this.origin}/${fullName}.git`,
    };
  }

  private record(request: StandInRequest, body: unknown = undefined): void {
    this.requests.push({ method: request.method.toUpperCase(), path: request.path, body });
  }

  private defineRoutes(): Route[] {
    const api = (path: string) => new RegExp(`^${ENTERPRISE_API_PREFIX.replaceAll("/", "\\/")}${path}`);
    const repo = "\\/repos\\/[^/]+\\/[^/]+";
    const route = (method: string, path: RegExp, answer: Route["answer"]): Route => ({ method, path, answer });
    return [
      route("GET", api("\\/app\\/hook\\/deliveries(\\?.*)?$"), (request, url) => this.listDeliveries(request, url)),
      route("POST", api("\\/app\\/hook\\/deliveries\\/\\d+\\/attempts$"), (request, url) => this.redeliver(request, url)),
      route("POST", api("\\/app\\/installations\\/\\d+\\/access_tokens$"), (request) => {
        this.record(request, fieldsOf(request.body));
        return json(201, { token: "ghs_installation_token", expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} });
      }),
      route("GET", api("\\/app$"), () => json(200, { id: 1, slug: "codebuild-checks", name: "codebuild-checks", owner: { login: this.appOwner, id: 1 } })),
      route("GET", api(`${repo}\\/contents\\/.+`), (_request, url) => this.contents(url)),
      route("GET", api(`${repo}\\/commits\\/[^/]+\\/check-runs`), (_request, url) => {
        const name = url.searchParams.get("check_name");
        const runs = this.runsFor(segment(url, 7)).filter((r) => !name || r.name === name);
        return json(200, { total_count: runs.length, check_runs: runs.map((run) => this.listed(run)) });
      }),
      // A commit's runs form one suite here (GitHub makes one per app and commit; only this app's runs are kept).
      route("GET", api(`${repo}\\/check-suites\\/\\d+\\/check-runs`), (_request, url) => {
        const suiteId = Number(segment(url, 7));
        const sha = [...this.suites].find(([, id]) => id === suiteId)?.[0];
        let runs = sha === undefined ? [] : this.runsFor(sha);
        if (url.searchParams.get("filter") !== "all") runs = runs.filter((run) => !runs.some((other) => other.name === run.name && other.id > run.id));
        return json(200, { total_count: runs.length, check_runs: runs.map((run) => this.listed(run)) });
      }),
      route("POST", api(`${repo}\\/check-runs$`), (request) => {
        const body = fieldsOf(request.body);
        this.record(request, body);
        const run = { id: this.newId(), status: "queued", ...body, history: [body] } as CheckRunState;
        this.checkRuns.set(run.id, run);
        return json(201, { ...run, history: undefined });
      }),
      route("PATCH", api(`${repo}\\/check-runs\\/\\d+$`), (request, url) => {
        const body = fieldsOf(request.body);
        this.record(request, body);
        const run = this.checkRuns.get(Number(segment(url, 7)));
        if (!run) return NOT_FOUND;
        const { output, ...rest } = body as { output?: CheckRunState["output"] };
        Object.assign(run, rest);
        if (output) run.output = { ...run.output, ...output };
        run.history.push(body);
        return json(200, { ...run, history: undefined });
      }),
      // GitHub's OAuth web flow (web pages, not the REST API): authorize approves for `oauthUser`.
      route("GET", /^\/login\/oauth\/authorize/, (_request, url) => {
        if (!this.oauthUser) return { status: 403, body: "no user signs in" };
        const code = `code-${this.newId()}`;
        this.oauthCodes.set(code, `gho_user_${this.oauthUser.login}`);
        this.userTokens.set(`gho_user_${this.oauthUser.login}`, this.oauthUser);
        const back = new URL(url.searchParams.get("redirect_uri") ?? "");
        back.searchParams.set("code", code);
        back.searchParams.set("state", url.searchParams.get("state") ?? "");
        return { status: 302, body: "", headers: { location: back.toString() } };
      }),
      route("POST", /^\/login\/oauth\/access_token$/, (request) => {
        const code = fieldsOf(request.body).code;
        const token = typeof code === "string" ? this.oauthCodes.get(code) : undefined;
        if (typeof code === "string") this.oauthCodes.delete(code);
        return json(200, token ? { access_token: token, token_type: "bearer", scope: "" } : { error: "bad_verification_code" });
      }),
      route("GET", api("\\/user$"), (request) => {
        const user = this.userTokens.get(header(request, "authorization").replace(/^(bearer|token) /i, ""));
        return user ? json(200, { ...user, type: "User" }) : json(401, { message: "Bad credentials" });
      }),
      // A GitHub App's user token: the app's installations where the user has a repository, and there the repositories the user may access.
      route("GET", api("\\/user\\/installations(\\?.*)?$"), (request) => {
        const login = this.userTokens.get(header(request, "authorization").replace(/^(bearer|token) /i, ""))?.login;
        if (!login) return json(401, { message: "Bad credentials" });
        const ids = [...new Set(this.reachable(login).map(([, repo]) => repo.installationId))];
        return json(200, { total_count: ids.length, installations: ids.map((id) => ({ id, account: { login: this.appOwner }, app_id: 1 })) });
      }),
      route("GET", api("\\/user\\/installations\\/\\d+\\/repositories(\\?.*)?$"), (request, url) => {
        const login = this.userTokens.get(header(request, "authorization").replace(/^(bearer|token) /i, ""))?.login;
        if (!login) return json(401, { message: "Bad credentials" });
        const installationId = Number(segment(url, 5));
        const repositories = this.reachable(login)
          .filter(([, repo]) => repo.installationId === installationId)
          .map(([fullName]) => this.repositoryJson(fullName));
        return json(200, { total_count: repositories.length, repositories });
      }),
      route("POST", api("\\/applications\\/[^/]+\\/token$"), (request) => {
        const user = this.userTokens.get(String(fieldsOf(request.body).access_token));
        return user ? json(200, { id: 1, token: "", user: { ...user, type: "User" } }) : NOT_FOUND;
      }),
      route("GET", api(`${repo}\\/installation$`), (_request, url) => {
        const found = this.repositories.get(fullNameOf(url));
        return found ? json(200, { id: found.installationId, account: { login: segment(url, 4) } }) : NOT_FOUND;
      }),
      route("GET", api(`${repo}$`), (_request, url) => {
        const repository = this.repositoryJson(fullNameOf(url));
        return repository ? json(200, repository) : NOT_FOUND;
      }),
      // Every repository of the stand-in: its tokens are not limited to repositories as GitHub's are.
      route("GET", api("\\/installation\\/repositories(\\?.*)?$"), (request) => {
        this.record(request);
        const repositories = [...this.repositories.keys()].map((fullName) => this.repositoryJson(fullName));
        return json(200, { total_count: repositories.length, repositories });
      }),
      route("POST", api(`${repo}\\/issues\\/\\d+\\/comments$`), (request, url) => {
        const body = String(fieldsOf(request.body).body);
        const comment = { id: this.newId(), issueNumber: Number(segment(url, 7)), body, appId: 1, login: "codebuild-checks[bot]", bodies: [body] };
        this.comments.push(comment);
        return json(201, this.commentJson(comment));
      }),
      route("GET", api(`${repo}\\/issues\\/\\d+\\/comments(\\?.*)?$`), (request, url) => {
        this.record(request);
        const issueNumber = Number(segment(url, 7));
        const listed = this.comments.filter((c) => c.issueNumber === issueNumber && !this.deletedComments.includes(c.id));
        return json(
          200,
          listed.map((c) => this.commentJson(c)),
        );
      }),
      route("PATCH", api(`${repo}\\/issues\\/comments\\/\\d+$`), (request, url) => {
        const comment = this.comments.find((c) => c.id === Number(segment(url, 8)));
        if (!comment || this.deletedComments.includes(comment.id)) return NOT_FOUND;
        // Only its author may edit a comment here (GitHub lets maintainers edit others' too; the app is none).
        if (comment.appId !== 1) return json(403, { message: "Resource not accessible by integration" });
        comment.body = String(fieldsOf(request.body).body);
        comment.bodies.push(comment.body);
        return json(200, this.commentJson(comment));
      }),
      route("POST", api(`${repo}\\/deployments$`), (request, url) => {
        const body = fieldsOf(request.body);
        this.record(request, body);
        const id = this.newId();
        const deployment: DeploymentState = {
          id,
          repository: fullNameOf(url),
          sha: String(body.ref),
          ref: String(body.ref),
          environment: String(body.environment ?? "production"),
          payload: body.payload ?? {},
          request: body,
          statuses: [],
        };
        this.deployments.set(id, deployment);
        return json(201, this.deploymentJson(deployment));
      }),
      route("GET", api(`${repo}\\/deployments(\\?.*)?$`), (request, url) => {
        this.record(request);
        const sha = url.searchParams.get("sha");
        const environment = url.searchParams.get("environment");
        const listed = [...this.deployments.values()]
          .filter((d) => d.repository === fullNameOf(url) && (!sha || d.sha === sha) && (!environment || d.environment === environment))
          .sort((a, b) => b.id - a.id);
        return json(
          200,
          listed.map((d) => this.deploymentJson(d)),
        );
      }),
      route("POST", api(`${repo}\\/deployments\\/\\d+\\/statuses$`), (request, url) => {
        const body = fieldsOf(request.body);
        this.record(request, body);
        const deployment = this.deployments.get(Number(segment(url, 7)));
        if (!deployment) return NOT_FOUND;
        deployment.statuses.push(body);
        return json(201, { id: this.newId(), state: body.state, description: body.description ?? "", environment: deployment.environment });
      }),
      route("POST", api(`${repo}\\/issues\\/comments\\/\\d+\\/reactions$`), (request, url) => {
        const commentId = Number(segment(url, 8));
        if (this.deletedComments.includes(commentId)) return NOT_FOUND;
        const content = String(fieldsOf(request.body).content);
        this.reactions.push({ commentId, content });
        return json(201, { id: this.newId(), content });
      }),
      route("DELETE", api(`${repo}\\/issues\\/comments\\/\\d+$`), (_request, url) => {
        this.deletedComments.push(Number(segment(url, 8)));
        return { status: 204, body: "" };
      }),
      route("GET", api(`${repo}\\/pulls\\/\\d+$`), (_request, url) => {
        const pull = this.pulls.get(Number(segment(url, 7)));
        return pull ? json(200, pull) : NOT_FOUND;
      }),
      route("GET", api(`${repo}\\/pulls\\/\\d+\\/files`), (_request, url) =>
        json(
          200,
          (this.pullFiles.get(Number(segment(url, 7))) ?? []).map((filename) => ({ filename, status: "modified" })),
        ),
      ),
      route("GET", api(`${repo}\\/collaborators\\/[^/]+\\/permission$`), (_request, url) => {
        const user = segment(url, 7);
        const permission = this.permissions.get(user) ?? "none";
        return json(200, { permission, role_name: permission, user: { login: user } });
      }),
    ];
  }

  /** Newest first; a page's Link names the next with a `cursor`, as GitHub's does. */
  private listDeliveries(request: StandInRequest, url: URL): StandInAnswer {
    this.record(request);
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
    const outcome = url.searchParams.get("status");
    const after = url.searchParams.get("cursor")?.replace(/^v1_/, "");
    const listed = [...this.deliveries]
      .sort((a, b) => b.id - a.id)
      .filter((d) => !outcome || (outcome === "success") === (d.status_code >= 200 && d.status_code < 400))
      .filter((d) => after === undefined || d.id < Number(after));
    const page = listed.slice(0, perPage);
    const last = page.at(-1);
    if (!last || listed.length === page.length) return json(200, page);
    const next = new URL(url.pathname, this.origin);
    next.searchParams.set("per_page", String(perPage));
    if (outcome) next.searchParams.set("status", outcome);
    next.searchParams.set("cursor", `v1_${last.id}`);
    return json(200, page, { link: `<${next.toString()}>; rel="next"` });
  }

  private redeliver(request: StandInRequest, url: URL): StandInAnswer {
    const id = Number(segment(url, 6));
    this.record(request);
    const delivery = this.deliveries.find((d) => d.id === id);
    if (!delivery) return NOT_FOUND;
    this.redeliveries.push(id);
    this.onRedeliver?.(delivery);
    return json(202, {});
  }

  private contents(url: URL): StandInAnswer {
    const [, , , , owner, repo, , ...rest] = url.pathname.split("/");
    const path = decodeURIComponent(rest.join("/"));
    const ref = url.searchParams.get("ref") ?? "HEAD";
    const content = this.files.get(`${owner}/${repo}@${ref}:${path}`);
    if (content === undefined) return NOT_FOUND;
    return { status: 200, body: content, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
  }
}
