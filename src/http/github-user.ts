import { createHash } from "node:crypto";
import { ProbotOctokit } from "probot";
import type { Settings } from "../settings.js";
import { GITHUB_ANSWER_TTL_MS, TtlCache } from "../lib/ttl-cache.js";

/** The GitHub user a token was issued to. */
export interface GitHubUser {
  login: string;
  id: number;
}

/** RFC 6750's b64token: what may follow `Bearer ` in an Authorization header. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none or it is malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header.trim())?.[1];
}

/** GitHub's answers to "is this token ours, and whose is it?" that mean "no" (POST /applications/{client_id}/token). */
const TOKEN_REJECTED_STATUSES = new Set([404, 422]);

/** Its request body carries the user's token: debug logging of requests must not see it. */
const quietLog = { debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error };

/**
 * Resolves API callers' tokens to GitHub users, accepting only tokens GitHub confirms were
 * issued to this app (SPEC 7). Confirmed tokens are remembered by their SHA-256 for a minute.
 */
export class GitHubUsers {
  private readonly octokit: ProbotOctokit;
  private readonly confirmed: TtlCache<GitHubUser>;

  constructor(
    private readonly settings: Pick<Settings, "githubApiUrl" | "oauth">,
    now: () => number = Date.now,
  ) {
    this.octokit = new ProbotOctokit({ baseUrl: settings.githubApiUrl, log: quietLog });
    this.confirmed = new TtlCache(GITHUB_ANSWER_TTL_MS, now);
  }

  /** False without GITHUB_CLIENT_ID/SECRET: the API then answers 503 (SPEC 1). */
  get configured(): boolean {
    return this.settings.oauth !== undefined;
  }

  /** The user GitHub issued the token to, or undefined when GitHub does not confirm it as this app's. */
  async userForToken(token: string): Promise<GitHubUser | undefined> {
    const oauth = this.settings.oauth;
    if (!oauth) return undefined;
    const key = createHash("sha256").update(token).digest("hex");
    const cached = this.confirmed.get(key);
    if (cached) return cached;

    const answer = await this.checkToken(oauth, token);
    if (!answer?.user) return undefined;
    const user = { login: answer.user.login, id: Number(answer.user.id) };
    this.confirmed.set(key, user, answer.expires_at ? Date.parse(answer.expires_at) : undefined);
    return user;
  }

  /** GitHub's description of the token, or undefined when GitHub does not know it as this app's. */
  private async checkToken(oauth: NonNullable<Settings["oauth"]>, token: string) {
    try {
      const { data } = await this.octokit.request("POST /applications/{client_id}/token", {
        client_id: oauth.clientId,
        access_token: token,
        headers: { authorization: `basic ${Buffer.from(`${oauth.clientId}:${oauth.clientSecret}`).toString("base64")}` },
      });
      return data;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === "number" && TOKEN_REJECTED_STATUSES.has(status)) return undefined;
      const hint = status === 401 ? ": GitHub refuses the app's OAuth credentials, check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET" : "";
      // Octokit's error keeps the request body, which holds the token: only the status travels on.
      // eslint-disable-next-line preserve-caught-error -- a cause would log the token
      throw new Error(`GitHub answered ${String(status ?? "nothing")} to POST /applications/{client_id}/token while checking an API token${hint}`);
    }
  }
}
