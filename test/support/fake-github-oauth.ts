import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { validateGitHubRequest } from "./openapi.js";

export interface FakeUser {
  login: string;
  id: number;
}

export interface OAuthRequest {
  method: string;
  path: string;
  /** The query, or the form or JSON body of a POST. */
  params: Record<string, string>;
  accept: string | undefined;
  authorization: string | undefined;
}

/** GitHub's answer to a code it does not know or already exchanged. */
const BAD_VERIFICATION_CODE = {
  error: "bad_verification_code",
  error_description: "The code passed is incorrect or expired.",
  error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
};

/**
 * GitHub's web application flow on 127.0.0.1, laid out like GitHub Enterprise (web pages at the
 * root, REST API under /api/v3): the authorize page approves at once for `user`, codes are
 * exchanged once for a token, and `GET /api/v3/user` names the token's user. Error answers
 * are GitHub's: the token exchange answers 200 with an `error` field.
 */
export class FakeGitHubOAuth {
  origin = "";
  /** Who is signed in on GitHub and approves the app. */
  user: FakeUser = { login: "octocat", id: 583231 };
  /** The GitHub App's registered Callback URL; the authorize page refuses any other redirect_uri. */
  callbackUrl = "";
  /** Set: the visitor cancels on the authorize page instead of approving. */
  denies = false;
  /** Set: GET /user answers with this status. */
  userStatus: number | undefined;
  readonly requests: OAuthRequest[] = [];
  /** Requests to the REST API that GitHub's OpenAPI description does not allow. */
  readonly invalid: { path: string; problems: string[] }[] = [];
  /** Every code and token handed out, for checks that none leaks. */
  readonly issued: string[] = [];
  private readonly codes = new Map<string, { user: FakeUser; redirectUri: string }>();
  private readonly tokens = new Map<string, FakeUser>();
  private server: Server | undefined;

  constructor(private readonly client: { clientId: string; clientSecret: string }) {}

  get webUrl(): string {
    return this.origin;
  }

  get apiUrl(): string {
    return `${this.origin}/api/v3`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => this.answer(req, body, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.origin);
    const params = req.method === "POST" ? parseBody(req.headers["content-type"], body) : Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? "", path: url.pathname, params, accept: req.headers.accept, authorization: req.headers.authorization });
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /login/oauth/authorize") return this.authorize(params, res);
    if (route === "POST /login/oauth/access_token") return this.exchange(params, req.headers.accept, res);
    if (route === "GET /api/v3/user") return this.currentUser(req, res);
    json(res, 404, { message: "Not Found" });
  }

  private authorize(params: Record<string, string>, res: ServerResponse): void {
    if (params.client_id !== this.client.clientId) return text(res, 404, "No such application");
    const redirectUri = params.redirect_uri ?? this.callbackUrl;
    if (redirectUri !== this.callbackUrl) return text(res, 400, "The redirect_uri is not associated with this application.");
    const back = new URL(redirectUri);
    if (this.denies) {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "The user has denied your application access.");
    } else {
      const code = this.issue("code");
      this.codes.set(code, { user: this.user, redirectUri });
      back.searchParams.set("code", code);
    }
    if (params.state !== undefined) back.searchParams.set("state", params.state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  private exchange(params: Record<string, string>, accept: string | undefined, res: ServerResponse): void {
    // Without Accept: application/json, GitHub answers form-encoded.
    const reply = (answer: Record<string, string | number>): void => {
      if (accept === "application/json") return json(res, 200, answer);
      const form = new URLSearchParams(Object.entries(answer).map(([k, v]): [string, string] => [k, String(v)]));
      res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" }).end(form.toString());
    };
    if (params.client_id !== this.client.clientId || params.client_secret !== this.client.clientSecret) {
      return reply({ error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
    }
    const grant = this.codes.get(params.code ?? "");
    if (!grant) return reply(BAD_VERIFICATION_CODE);
    if (params.redirect_uri !== undefined && params.redirect_uri !== grant.redirectUri) {
      return reply({ error: "redirect_uri_mismatch", error_description: "The redirect_uri MUST match the registered callback URL for this application." });
    }
    this.codes.delete(params.code ?? "");
    const token = this.issue("ghu_");
    this.tokens.set(token, grant.user);
    reply({ access_token: token, expires_in: 28800, refresh_token: this.issue("ghr_"), refresh_token_expires_in: 15811200, token_type: "bearer", scope: "" });
  }

  private currentUser(req: IncomingMessage, res: ServerResponse): void {
    const problems = validateGitHubRequest("GET", "/user");
    if (problems.length > 0) this.invalid.push({ path: "/user", problems });
    const token = /^(?:Bearer|token) (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const user = token === undefined ? undefined : this.tokens.get(token);
    if (this.userStatus) return json(res, this.userStatus, { message: "Server Error" });
    if (!user) return json(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
    json(res, 200, { login: user.login, id: user.id, node_id: "MDQ6VXNlcjE=", type: "User", site_admin: false });
  }

  private issue(prefix: string): string {
    const value = `${prefix}${randomBytes(12).toString("hex")}`;
    this.issued.push(value);
    return value;
  }
}

function parseBody(contentType: string | undefined, body: string): Record<string, string> {
  if (contentType?.startsWith("application/json")) return JSON.parse(body) as Record<string, string>;
  return Object.fromEntries(new URLSearchParams(body));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
