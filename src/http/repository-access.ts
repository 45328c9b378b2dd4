import type { ProbotOctokit } from "probot";
import { parsePermission, type AccessFacts, type GitHubPermission } from "./access-rules.js";
import type { GitHubUser } from "./github-user.js";
import { GITHUB_ANSWER_TTL_MS, TtlCache } from "../lib/ttl-cache.js";

/** Just what this module asks of an Octokit. */
export type GitHubClient = Pick<ProbotOctokit, "request">;

/** The app's ways into GitHub; Probot's `app.auth()` and `app.auth(id)` fit. */
export interface AppGitHub {
  /** Authenticated as the app (JWT). */
  app(): Promise<GitHubClient>;
  /** Authenticated as one of its installations. */
  installation(installationId: number): Promise<GitHubClient>;
}

/** Which accounts' installations the app serves (ALLOWED_OWNERS; OwnerPolicy fits). */
export interface OwnerPolicyLike {
  allows(login: string): Promise<boolean>;
}

export interface InstalledRepository {
  id: number;
  owner: string;
  name: string;
  private: boolean;
}

/** A repository the app is installed on, and what one user may do there. */
export interface RepositoryAccess extends AccessFacts {
  repository: InstalledRepository;
  installationId: number;
}

type Located = Pick<RepositoryAccess, "installationId" | "repository">;

/** GitHub's rules for account and repository names; anything else is no repository (and no request). */
const OWNER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

/**
 * Finds the installation that covers a repository and asks GitHub, through that installation,
 * what a user may do there. Answers are remembered for a minute: per repository for the
 * installation and the repository, per repository and user for the permission.
 */
export class RepositoryAccessResolver {
  private readonly repositories: TtlCache<Located | null>;
  private readonly permissions: TtlCache<GitHubPermission>;

  constructor(
    private readonly github: AppGitHub,
    private readonly owners: OwnerPolicyLike,
    now: () => number = Date.now,
  ) {
    this.repositories = new TtlCache(GITHUB_ANSWER_TTL_MS, now);
    this.permissions = new TtlCache(GITHUB_ANSWER_TTL_MS, now);
  }

  /** Undefined when the app does not serve the repository (not installed, not selected, owner not allowed). */
  async access(owner: string, repo: string, user: GitHubUser): Promise<RepositoryAccess | undefined> {
    if (!OWNER_NAME.test(owner) || !REPOSITORY_NAME.test(repo)) return undefined;
    const located = await this.locate(owner, repo);
    if (!located) return undefined;
    const key = `${located.repository.id}:${user.id}`;
    let permission = this.permissions.get(key);
    if (permission === undefined) {
      permission = await this.permissionOf(located.installationId, located.repository, user.login);
      this.permissions.set(key, permission);
    }
    return { ...located, permission };
  }

  private async locate(owner: string, repo: string): Promise<Located | null> {
    const key = `${owner}/${repo}`.toLowerCase();
    const cached = this.repositories.get(key);
    if (cached !== undefined) return cached;
    const located = await this.findInstalled(owner, repo);
    this.repositories.set(key, located);
    return located;
  }

  private async findInstalled(owner: string, repo: string): Promise<Located | null> {
    const app = await this.github.app();
    const installation = await notFoundAsUndefined(app.request("GET /repos/{owner}/{repo}/installation", { owner, repo }));
    const account = installation?.data.account;
    const login = account && "login" in account ? account.login : undefined;
    if (!installation || !login || !(await this.owners.allows(login))) return null;

    const octokit = await this.github.installation(installation.data.id);
    // 404 here: the installation does not include this repository (selected repositories only).
    const found = await notFoundAsUndefined(octokit.request("GET /repos/{owner}/{repo}", { owner, repo }));
    if (!found) return null;
    const { id, name, owner: repoOwner, private: isPrivate } = found.data;
    return { installationId: installation.data.id, repository: { id: Number(id), owner: repoOwner.login, name, private: isPrivate } };
  }

  private async permissionOf(installationId: number, repository: InstalledRepository, username: string): Promise<GitHubPermission> {
    const octokit = await this.github.installation(installationId);
    const answer = await notFoundAsUndefined(
      octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner: repository.owner, repo: repository.name, username }),
    );
    return answer ? parsePermission(answer.data.permission) : "none";
  }
}

/** GitHub's 404 as "there is none"; every other failure stays an error. */
async function notFoundAsUndefined<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return undefined;
    throw error;
  }
}
