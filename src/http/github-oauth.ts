import { z } from "zod";
import type { Settings } from "../settings.js";
import type { GitHubUser } from "./github-user.js";

/** A sign-in waits this long for GitHub at most, so a hung GitHub does not hang the visitor's page. */
const GITHUB_TIMEOUT_MS = 10_000;

/** GitHub's REST API version these requests are written against. */
const GITHUB_API_VERSION = "2022-11-28";

/**
 * What GitHub's `error` codes at the token exchange mean for the operator; the others
 * (`bad_verification_code`: a code used, expired or forged) only mean "sign in again".
 * https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 */
const OPERATOR_ERRORS: Record<string, (redirectUri: string) => string> = {
  incorrect_client_credentials: () => "check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET",
  redirect_uri_mismatch: (redirectUri) => `add ${redirectUri} to the GitHub App's Callback URLs, or correct PUBLIC_URL`,
};

/** What signing in with a code came to. */
export type CodeOutcome =
  | { kind: "signed_in"; user: GitHubUser }
  /** GitHub refused the code: the visitor should sign in again. `reason` is GitHub's own words. */
  | { kind: "refused"; reason: string }
  /** GitHub failed, or the app's OAuth settings are wrong: for the operator's log (it names no secret). */
  | { kind: "failed"; problem: string };

const tokenAnswer = z.union([z.object({ access_token: z.string().min(1) }), z.object({ error: z.string(), error_description: z.string().optional() })]);
const userAnswer = z.object({ login: z.string().min(1), id: z.number().int().positive() });

/**
 * GitHub's web application flow for a GitHub App's user tokens, used only to learn who the visitor
 * is: the token is dropped once GitHub has named its user.
 * https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
 */
export class GitHubOAuth {
  /** `redirectUri`: the app's callback, one of the GitHub App's Callback URLs. */
  constructor(
    private readonly client: NonNullable<Settings["oauth"]>,
    private readonly github: Pick<Settings, "githubWebUrl" | "githubApiUrl">,
    private readonly redirectUri: string,
  ) {}

  /** GitHub's page where the visitor approves the app; it sends them to the callback with a code and `state`. */
  authorizeUrl(state: string): string {
    const query = new URLSearchParams({ client_id: this.client.clientId, redirect_uri: this.redirectUri, state });
    return `${this.github.githubWebUrl}/login/oauth/authorize?${query}`;
  }

  /** Exchanges the callback's code for a user token, and the token for its user. */
  async userForCode(code: string): Promise<CodeOutcome> {
    const exchange = await this.call("POST /login/oauth/access_token", `${this.github.githubWebUrl}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: new URLSearchParams({ client_id: this.client.clientId, client_secret: this.client.clientSecret, code, redirect_uri: this.redirectUri }),
    });
    if ("problem" in exchange) return { kind: "failed", problem: exchange.problem };
    const token = tokenAnswer.safeParse(exchange.body);
    if (!token.success) return { kind: "failed", problem: "GitHub's answer to POST /login/oauth/access_token has neither a token nor an error" };
    if ("error" in token.data) {
      const fix = OPERATOR_ERRORS[token.data.error];
      if (fix) return { kind: "failed", problem: `GitHub answered ${token.data.error} to POST /login/oauth/access_token: ${fix(this.redirectUri)}` };
      return { kind: "refused", reason: token.data.error_description ?? token.data.error };
    }

    const answer = await this.call("GET /user", `${this.github.githubApiUrl}/user`, {
      headers: { accept: "application/vnd.github+json", authorization: `Bearer ${token.data.access_token}`, "x-github-api-version": GITHUB_API_VERSION },
    });
    if ("problem" in answer) return { kind: "failed", problem: answer.problem };
    const user = userAnswer.safeParse(answer.body);
    if (!user.success) return { kind: "failed", problem: "GitHub's answer to GET /user has no login and id" };
    return { kind: "signed_in", user: user.data };
  }

  /** One request to GitHub; problems name the request, never its body or headers (they hold the code, secret and token). */
  private async call(name: string, url: string, init: RequestInit & { headers: Record<string, string> }): Promise<{ body: unknown } | { problem: string }> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers: { ...init.headers, "user-agent": "codebuild-checks" }, signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      return { problem: `GitHub did not answer ${name} at ${url}: ${String(cause ?? (error as Error).message)}` };
    }
    if (!response.ok) return { problem: `GitHub answered ${response.status} to ${name}` };
    try {
      return { body: await response.json() };
    } catch {
      return { problem: `GitHub's answer to ${name} is not JSON` };
    }
  }
}
