import { createHash } from "node:crypto";
import { ProbotOctokit } from "probot";
import type { Settings } from "../settings.js";
import { GITHUB_ANSWER_TTL_MS, TtlCache } from "../lib/ttl-cache.js";

/** The GitHub user a token was issued to. */
export interface GitHubUser {
  login: string;
  id: number;
}

/** A repository by owner and name, as a route that names it by GitHub's id finds it. */
export interface RepositoryName {
  owner: string;
  repo: string;
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
  private readonly repositories: TtlCache<RepositoryName | null>;

  constructor(
    private readonly settings: Pick<Settings, "githubApiUrl" | "oauth">,
    now: () => number = Date.now,
  ) {
    this.octokit = new ProbotOctokit({ baseUrl: settings.githubApiUrl, log: quietLog });
    this.confirmed = new TtlCache(GITHUB_ANSWER_TTL_MS, now);
    this.repositories = new TtlCache(GITHUB_ANSWER_TTL_MS, now);
  }

  /**
   * The repository with GitHub's id `repositoryId` among those the token's user reaches through the
   * app's installations (`GET /user/installations` and each one's repositories, with the user's own
   * token, as GitHub documents for a GitHub App's user tokens): how a route that names a repository
   * by its id (the seed plan's `/api/projects/:repositoryId`) finds its name. Remembered for a
   * minute per user and id; undefined when the user reaches none with that id.
   */
  async repositoryOf(token: string, user: GitHubUser, repositoryId: number): Promise<RepositoryName | undefined> {
    const key = `${user.id}:${repositoryId}`;
    const cached = this.repositories.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const asUser = new ProbotOctokit({ baseUrl: this.settings.githubApiUrl, auth: { token }, log: quietLog });
    try {
      for await (const { data: installations } of asUser.paginate.iterator("GET /user/installations", { per_page: 100 })) {
        for (const installation of installations) {
          const pages = asUser.paginate.iterator("GET /user/installations/{installation_id}/repositories", { installation_id: installation.id, per_page: 100 });
          for await (const { data: repositories } of pages) {
            const found = repositories.find((repository) => repository.id === repositoryId);
            if (found) {
              const named = { owner: found.owner.login, repo: found.name };
              this.repositories.set(key, named);
              return named;
            }
          }
        }
      }
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      // The request carried the user's token: only the status travels on.
      // eslint-disable-next-line preserve-caught-error -- a cause would log the token
      throw new Error(`GitHub answered ${String(status ?? "nothing")} while listing the repositories a user reaches through the app's installations`);
    }
    this.repositories.set(key, null);
    return undefined;
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
