import { generateKeyPairSync } from "node:crypto";
import { createServer, STATUS_CODES, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import nock from "nock";
import { gitRepositoryOf, serveGit } from "./git-http.js";
import { validateGitHubRequest } from "./openapi.js";

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

export interface InvalidRequest {
  method: string;
  /** As api.github.com would see it: without the GitHub Enterprise prefix, with the query. */
  path: string;
  problems: string[];
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

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  remaining: number;
}

/** Methods a fault can be injected into. */
const FAULT_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"];
/** Marks a request the HTTP bridge re-issued: if nock lets it through to the network, the bridge must not relay it again (a loop). */
const BRIDGED_HEADER = "x-fake-github-bridged";
/** Hop-by-hop headers: each leg of the bridge has its own. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

/** A validator that throws must not break the request nock is answering: its failure is a problem like any other. */
function checked(validate: () => string[]): string[] {
  try {
    return validate();
  } catch (error) {
    return [`the OpenAPI check itself failed: ${String(error)}`];
  }
}

/** `owner/repo` of a `/api/v3/repos/{owner}/{repo}/…` path. */
function fullNameOf(uri: string): string {
  const [, , , , owner, repo] = new URL(uri, "http://x").pathname.split("/");
  return `${decodeURIComponent(owner ?? "")}/${decodeURIComponent(repo ?? "")}`;
}

/** Where GitHub Enterprise serves the REST API; api.github.com serves the same paths at the root. */
const ENTERPRISE_API_PREFIX = "/api/v3";

let privateKey: string | undefined;

/** An RSA key for the app's JWTs (GitHub is faked, so any key will do). */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

/**
 * GitHub's REST API at http://127.0.0.1:<port>/api/v3 (GHE_PROTOCOL/GHE_HOST), intercepted
 * with nock and backed by a little state: files per ref, check runs, permissions.
 */
export class FakeGitHub {
  readonly origin: string;
  readonly host: string;
  readonly checkRuns = new Map<number, CheckRunState>();
  /** `owner/repo@ref:path` → file contents */
  readonly files = new Map<string, string>();
  readonly pullFiles = new Map<number, string[]>();
  readonly permissions = new Map<string, string>();
  /** User tokens GitHub confirms were issued to the app (POST /applications/{client_id}/token). */
  readonly userTokens = new Map<string, { login: string; id: number }>();
  /** Comments the app wrote, reactions it made, comments it deleted. */
  readonly comments: { issueNumber: number; body: string }[] = [];
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
  /** Called on each accepted redelivery, so a test can send the webhook to the app again. */
  onRedeliver?: (delivery: HookDelivery) => void;
  /** Every request the app sent, in order: method and path as api.github.com would see them, with the query, and when (ms). */
  readonly sent: { method: string; path: string; at: number }[] = [];
  /** Requests the fake recorded; `failedWith` is the status of an answer injected by failNext. */
  readonly requests: { method: string; path: string; body: unknown; failedWith?: number }[] = [];
  /** Requests GitHub's OpenAPI description does not allow, and requests this fake has no reply for. */
  readonly invalidRequests: InvalidRequest[] = [];
  appOwner = "Codertocat";
  private readonly suites = new Map<string, number>();
  private nextId = 1000;
  private readonly faults: Fault[] = [];
  private server: Server | undefined;

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

  file(fullName: string, ref: string, path: string, content: string): void {
    this.files.set(`${fullName}@${ref}:${path}`, content);
  }

  /** The check suite of a commit's runs (made on first use). */
  suiteOf(sha: string): number {
    let id = this.suites.get(sha);
    if (id === undefined) this.suites.set(sha, (id = this.nextId++));
    return id;
  }

  /** A run as GitHub lists it: with its app and suite, without the fake's history. */
  private listed({ history: _history, ...run }: CheckRunState): Record<string, unknown> {
    return { ...run, app: { id: 1, slug: "codebuild-checks" }, check_suite: { id: this.suiteOf(run.head_sha) } };
  }

  runsFor(sha: string): CheckRunState[] {
    return [...this.checkRuns.values()].filter((r) => r.head_sha === sha);
  }

  /**
   * The next `count` requests of `method` whose path (as sent, e.g. `/api/v3/app?x=1`) matches are
   * answered with `status` instead: 403 and 429 as GitHub's secondary rate limit (with `retry-after: 1`),
   * others with the status's message (502 `{"message":"Bad Gateway"}`).
   */
  failNext(method: string, path: RegExp, status: number, count = 1): void {
    this.faults.push({ method: method.toUpperCase(), path, status, remaining: count });
  }

  /** Adds a delivery attempt (a new id, delivered now, answered 200 unless said otherwise). */
  addDelivery(attempt: Partial<HookDelivery> & Pick<HookDelivery, "guid">): HookDelivery {
    const statusCode = attempt.status_code ?? 200;
    const delivery: HookDelivery = {
      id: this.nextId++,
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

  install(): void {
    const scope = nock(this.origin).persist();
    scope.on("request", (req: ClientRequest, _interceptor: unknown, body: string) => {
      const path = req.path.startsWith(`${ENTERPRISE_API_PREFIX}/`) ? req.path.slice(ENTERPRISE_API_PREFIX.length) : req.path;
      this.sent.push({ method: req.method, path, at: Date.now() });
      this.validate(req.method, req.path, body);
    });
    nock.emitter.on("no match", this.unmatched);
    // First, so an injected fault answers before any route does.
    for (const method of FAULT_METHODS) {
      scope.intercept((uri: string) => this.faultFor(method, uri) !== undefined, method).reply((uri, body) => this.fail(method, uri, body));
    }
    scope.get(/^\/api\/v3\/app\/hook\/deliveries(\?.*)?$/).reply((uri) => this.listDeliveries(uri));
    scope.post(/^\/api\/v3\/app\/hook\/deliveries\/\d+\/attempts$/).reply((uri) => this.redeliver(uri));
    scope
      .post(/^\/api\/v3\/app\/installations\/\d+\/access_tokens$/)
      .reply((uri, body) => {
        this.requests.push({ method: "POST", path: uri, body });
        return [201, { token: "ghs_installation_token", expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} }];
      });
    scope.get("/api/v3/app").reply(200, () => ({ id: 1, slug: "codebuild-checks", name: "codebuild-checks", owner: { login: this.appOwner, id: 1 } }));
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/contents\/.+/).reply((uri) => this.contents(uri));
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/commits\/[^/]+\/check-runs/).reply((uri) => {
      const url = new URL(uri, this.origin);
      const sha = decodeURIComponent(url.pathname.split("/")[6] ?? "");
      const name = url.searchParams.get("check_name");
      const runs = this.runsFor(sha).filter((r) => !name || r.name === name).map((run) => this.listed(run));
      return [200, { total_count: runs.length, check_runs: runs }];
    });
    // A commit's runs form one suite here (GitHub makes one per app and commit; only this app's runs are kept).
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-suites\/\d+\/check-runs/).reply((uri) => {
      const url = new URL(uri, this.origin);
      const suiteId = Number(url.pathname.split("/")[7]);
      const sha = [...this.suites].find(([, id]) => id === suiteId)?.[0];
      let runs = sha === undefined ? [] : this.runsFor(sha);
      if (url.searchParams.get("filter") !== "all") runs = runs.filter((run) => !runs.some((other) => other.name === run.name && other.id > run.id));
      return [200, { total_count: runs.length, check_runs: runs.map((run) => this.listed(run)) }];
    });
    scope.post(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs$/).reply((uri, body) => {
      const b = body as Record<string, unknown>;
      this.requests.push({ method: "POST", path: uri, body: b });
      const run: CheckRunState = { id: this.nextId++, status: "queued", ...(b as object), history: [b] } as CheckRunState;
      this.checkRuns.set(run.id, run);
      return [201, { ...run, history: undefined }];
    });
    scope.patch(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/).reply((uri, body) => {
      const b = body as Record<string, unknown>;
      this.requests.push({ method: "PATCH", path: uri, body: b });
      const id = Number(uri.split("/").pop());
      const run = this.checkRuns.get(id);
      if (!run) return [404, { message: "Not Found" }];
      const { output, ...rest } = b as { output?: CheckRunState["output"] };
      Object.assign(run, rest);
      if (output) run.output = { ...run.output, ...output };
      run.history.push(b);
      return [200, { ...run, history: undefined }];
    });
    // GitHub's OAuth web flow (web pages, not the REST API): authorize approves for `oauthUser`.
    scope.get(/^\/login\/oauth\/authorize/).reply((uri) => {
      const url = new URL(uri, this.origin);
      if (!this.oauthUser) return [403, "no user signs in"];
      const code = `code-${this.nextId++}`;
      this.oauthCodes.set(code, `gho_user_${this.oauthUser.login}`);
      this.userTokens.set(`gho_user_${this.oauthUser.login}`, this.oauthUser);
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      return [302, "", { location: back.toString() }];
    });
    scope.post("/login/oauth/access_token").reply((_uri, body) => {
      const code = typeof body === "string" ? new URLSearchParams(body).get("code") : (body as { code?: string }).code;
      const token = code ? this.oauthCodes.get(code) : undefined;
      if (code) this.oauthCodes.delete(code);
      return [200, token ? { access_token: token, token_type: "bearer", scope: "" } : { error: "bad_verification_code" }];
    });
    const tokens = this.userTokens;
    scope.get("/api/v3/user").reply(function (this: { req: { headers: Record<string, string | string[] | undefined> } }) {
      const token = String(this.req.headers.authorization ?? "").replace(/^(bearer|token) /i, "");
      const user = tokens.get(token);
      return user ? [200, { ...user, type: "User" }] : [401, { message: "Bad credentials" }];
    });
    scope.post(/^\/api\/v3\/applications\/[^/]+\/token$/).reply((_uri, body) => {
      const user = this.userTokens.get(String((body as { access_token?: string }).access_token));
      return user ? [200, { id: 1, token: "", user: { ...user, type: "User" } }] : [404, { message: "Not Found" }];
    });
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/installation$/).reply((uri) => {
      const repo = this.repositories.get(fullNameOf(uri));
      return repo ? [200, { id: repo.installationId, account: { login: fullNameOf(uri).split("/")[0] } }] : [404, { message: "Not Found" }];
    });
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+$/).reply((uri) => {
      const repository = this.repositoryJson(fullNameOf(uri));
      return repository ? [200, repository] : [404, { message: "Not Found" }];
    });
    // Every repository of the fake: its tokens are not limited to repositories as GitHub's are.
    scope.get(/^\/api\/v3\/installation\/repositories(\?.*)?$/).reply((uri) => {
      this.requests.push({ method: "GET", path: uri, body: undefined });
      const repositories = [...this.repositories.keys()].map((fullName) => this.repositoryJson(fullName));
      return [200, { total_count: repositories.length, repositories }];
    });
    scope.post(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/).reply((uri, body) => {
      const issueNumber = Number(uri.split("/")[7]);
      this.comments.push({ issueNumber, body: String((body as { body?: string }).body) });
      return [201, { id: this.nextId++, body: (body as { body?: string }).body }];
    });
    scope.post(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+\/reactions$/).reply((uri, body) => {
      const commentId = Number(uri.split("/")[8]);
      if (this.deletedComments.includes(commentId)) return [404, { message: "Not Found" }];
      this.reactions.push({ commentId, content: String((body as { content?: string }).content) });
      return [201, { id: this.nextId++, content: (body as { content?: string }).content }];
    });
    scope.delete(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/).reply((uri) => {
      this.deletedComments.push(Number(uri.split("/").pop()));
      return [204, ""];
    });
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/pulls\/\d+$/).reply((uri) => {
      const pull = this.pulls.get(Number(uri.split("/").pop()));
      return pull ? [200, pull] : [404, { message: "Not Found" }];
    });
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files/).reply((uri) => {
      const n = Number(uri.split("/")[6]);
      return [200, (this.pullFiles.get(n) ?? []).map((filename) => ({ filename, status: "modified" }))];
    });
    scope.get(/^\/api\/v3\/repos\/[^/]+\/[^/]+\/collaborators\/[^/]+\/permission$/).reply((uri) => {
      const user = decodeURIComponent(uri.split("/")[7] ?? "");
      const permission = this.permissions.get(user) ?? "none";
      return [200, { permission, role_name: permission, user: { login: user } }];
    });
  }

  /** nock's emitter is global and outlives the scope, so the listener must go when the test does. */
  uninstall(): void {
    nock.emitter.off("no match", this.unmatched);
  }

  /**
   * Serves this fake over real HTTP at its origin, so another process (the app run as a child) can
   * reach it: each request is issued again in this process, where nock answers it, and the answer relayed.
   */
  async serve(): Promise<void> {
    const server = createServer((incoming, outgoing) => {
      const directory = this.gitRepositories.get(gitRepositoryOf(incoming.url) ?? "");
      if (directory === undefined) return void this.relay(incoming, outgoing);
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

  private async relay(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const noReply = JSON.stringify({ message: `the fake GitHub has no reply for ${incoming.method} ${incoming.url}` });
    // Back from the network: nock had no reply for it and let it through.
    if (incoming.headers[BRIDGED_HEADER]) return void outgoing.writeHead(404, { "content-type": "application/json" }).end(noReply);
    try {
      const answer = await this.reissue(incoming, Buffer.concat(chunks));
      outgoing.writeHead(answer.status, answer.headers).end(answer.body);
    } catch {
      // nock refused it (no interceptor, and no connections allowed to this host): already recorded as unmatched.
      outgoing.writeHead(404, { "content-type": "application/json" }).end(noReply);
    }
  }

  private async reissue(incoming: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const headers = Object.entries(incoming.headers).flatMap(([name, value]) =>
      value === undefined || HOP_BY_HOP.has(name) ? [] : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
    );
    const res = await fetch(`${this.origin}${incoming.url}`, {
      method: incoming.method,
      headers: [...headers, [BRIDGED_HEADER, "1"]],
      body: body.length > 0 ? body : undefined,
      redirect: "manual",
    });
    const relayed = [...res.headers].filter(([name]) => !HOP_BY_HOP.has(name) && name !== "content-encoding");
    return { status: res.status, headers: Object.fromEntries(relayed), body: Buffer.from(await res.arrayBuffer()) };
  }

  private faultFor(method: string, uri: string): Fault | undefined {
    return this.faults.find((f) => f.remaining > 0 && f.method === method && f.path.test(uri));
  }

  private fail(method: string, uri: string, body: unknown): [number, unknown, Record<string, string>] {
    const fault = this.faultFor(method, uri)!;
    fault.remaining--;
    this.requests.push({ method, path: uri, body, failedWith: fault.status });
    if (fault.status === 403 || fault.status === 429) {
      const message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
      const documentation_url = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";
      return [fault.status, { message, documentation_url }, { "retry-after": "1" }];
    }
    return [fault.status, { message: STATUS_CODES[fault.status] ?? "Error" }, {}];
  }

  /** Newest first; a page's Link names the next with a `cursor`, as GitHub's does. */
  private listDeliveries(uri: string): [number, unknown, Record<string, string>?] {
    this.requests.push({ method: "GET", path: uri, body: undefined });
    const url = new URL(uri, this.origin);
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
    const outcome = url.searchParams.get("status");
    const after = url.searchParams.get("cursor")?.replace(/^v1_/, "");
    const listed = [...this.deliveries]
      .sort((a, b) => b.id - a.id)
      .filter((d) => !outcome || (outcome === "success") === (d.status_code >= 200 && d.status_code < 400))
      .filter((d) => after === undefined || d.id < Number(after));
    const page = listed.slice(0, perPage);
    const last = page.at(-1);
    if (!last || listed.length === page.length) return [200, page];
    const next = new URL(url.pathname, this.origin);
    next.searchParams.set("per_page", String(perPage));
    if (outcome) next.searchParams.set("status", outcome);
    next.searchParams.set("cursor", `v1_${last.id}`);
    return [200, page, { link: `<${next.toString()}>; rel="next"` }];
  }

  private redeliver(uri: string): [number, unknown] {
    const id = Number(uri.split("/")[6]);
    this.requests.push({ method: "POST", path: uri, body: undefined });
    const delivery = this.deliveries.find((d) => d.id === id);
    if (!delivery) return [404, { message: "Not Found" }];
    this.redeliveries.push(id);
    this.onRedeliver?.(delivery);
    return [202, {}];
  }

  private validate(method: string, path: string, body: string, unmatched = false): void {
    // GitHub's OAuth web flow lives outside the REST API and its OpenAPI description.
    if (path.startsWith("/login/oauth/") && !unmatched) return;
    const apiPath = path.startsWith(`${ENTERPRISE_API_PREFIX}/`) ? path.slice(ENTERPRISE_API_PREFIX.length) : path;
    const problems = checked(() => validateGitHubRequest(method, apiPath, body));
    if (unmatched) problems.unshift("the fake GitHub has no reply for it (nock: no match)");
    if (problems.length > 0) this.invalidRequests.push({ method, path: apiPath, problems });
  }

  /** nock emits `no match` with (request, options, body), or with only the options when no scope knows the host. */
  private readonly unmatched = (...args: unknown[]): void => {
    const options = (args.length > 1 ? args[1] : args[0]) as { hostname?: string; port?: string | number; method?: string; path?: string };
    if (`${options.hostname}:${options.port}` !== this.host) return;
    this.validate(options.method ?? "GET", options.path ?? "/", typeof args[2] === "string" ? args[2] : "", true);
  };

  private contents(uri: string): [number, unknown, Record<string, string>?] {
    const url = new URL(uri, this.origin);
    const [, , , , owner, repo, , ...rest] = url.pathname.split("/");
    const path = decodeURIComponent(rest.join("/"));
    const ref = url.searchParams.get("ref") ?? "HEAD";
    const content = this.files.get(`${owner}/${repo}@${ref}:${path}`);
    if (content === undefined) return [404, { message: "Not Found" }];
    return [200, content, { "content-type": "application/vnd.github.raw; charset=utf-8" }];
  }
}
