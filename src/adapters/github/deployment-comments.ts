import { randomBytes } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { systemClock, type Clock } from "../../domain/clock.js";
import { isDeploymentComment, renderDeploymentComment, type CommentContext } from "../../deployments/comment.js";
import type { DeploymentComments, DeploymentTarget, DeploymentThreadStore, DeploymentWriteKind } from "../../ports/deployments.js";
import { emptyThread, type DeploymentThread, type ThreadKey } from "../../deployments/thread.js";
import type { Masker } from "../../variables/masking.js";
import type { GitHubWriteBudgets } from "../../ports/write-budget.js";

/**
 * How long a claim to create a pull request's comment holds others back: far longer than creating a
 * comment takes, so only a claimant that died leaves it to run out. After that, the comment it may
 * have made is looked for by its marker before another is made.
 */
export const COMMENT_CLAIM_MS = 60_000;
/** Conflicting writes of one thread tried again at most this often (several replicas at once, at most). */
const THREAD_WRITE_ATTEMPTS = 20;

export interface GitHubDeploymentCommentsOptions {
  github(installationId: number): Promise<ProbotOctokit>;
  writes: GitHubWriteBudgets;
  threads: DeploymentThreadStore;
  /** The app's id: only a comment the app itself wrote is taken for its own. */
  appId: number;
  context: CommentContext;
  clock?: Clock;
}

type Thread = DeploymentThread;

/**
 * The deployment comment of each pull request: the thread is changed in the table (any replica's
 * change over the latest version), then the one comment is written through the write budget under
 * the pull request's key, rendered from the thread as it is when its turn comes — so writes waiting
 * are coalesced, the latest wins, and a final state goes first. The comment is created once: a
 * writer claims the creation in the thread first, and records the comment's id after; a claim that
 * ran out (its writer died) has the comment looked for by its marker before another is made.
 */
export class GitHubDeploymentComments implements DeploymentComments {
  /** This process among the writers of threads, for its claims. */
  private readonly writer = randomBytes(6).toString("hex");
  private readonly clock: Clock;

  constructor(private readonly options: GitHubDeploymentCommentsOptions) {
    this.clock = options.clock ?? systemClock;
  }

  async update(target: DeploymentTarget, key: ThreadKey, change: (thread: Thread) => Thread, masker: Pick<Masker, "mask">, kind: DeploymentWriteKind) {
    const thread = await this.changeThread(key, change);
    const budget = this.options.writes.forInstallation(target.installationId);
    const written = budget
      .submit(
        `comment:${key.repositoryId}#${key.pullRequest}`,
        kind,
        () => this.write(target, key, masker),
        thread.commentId === undefined ? "creates" : "changes",
      )
      .then((outcome) => outcome.status !== "failed");
    return { thread, written };
  }

  thread(key: ThreadKey): Promise<Thread | undefined> {
    return this.options.threads.get(key);
  }

  /** Applies `change` over the stored thread's latest version. */
  private async changeThread(key: ThreadKey, change: (thread: Thread) => Thread): Promise<Thread> {
    for (let attempt = 0; attempt < THREAD_WRITE_ATTEMPTS; attempt++) {
      const stored = (await this.options.threads.get(key)) ?? emptyThread(key);
      const changed = change(stored);
      if (await this.options.threads.put(changed, stored.version)) return { ...changed, version: stored.version + 1 };
    }
    throw new Error(`the deployment thread of pull request #${key.pullRequest} kept changing under ${THREAD_WRITE_ATTEMPTS} writes in a row`);
  }

  /** The comment brought up to date with the thread as stored now; created when the thread has none. */
  private async write(target: DeploymentTarget, key: ThreadKey, masker: Pick<Masker, "mask">): Promise<void> {
    const octokit = await this.options.github(target.installationId);
    const repo = { owner: target.owner, repo: target.repo };
    for (let attempt = 0; attempt < THREAD_WRITE_ATTEMPTS; attempt++) {
      const thread = await this.options.threads.get(key);
      if (!thread) return;
      const body = masker.mask(renderDeploymentComment(thread, this.options.context));
      if (thread.commentId !== undefined) {
        if (await this.edited(octokit, repo, thread.commentId, body)) return;
        // Someone deleted the comment: the thread gets a new one.
        await this.options.threads.put({ ...thread, commentId: undefined }, thread.version);
        continue;
      }
      const claim = thread.commentClaim;
      const now = this.clock.now();
      // Another writer is creating it: that writer shows the latest thread once the comment exists.
      if (claim && claim.by !== this.writer && now - claim.at < COMMENT_CLAIM_MS) return;
      if (!(await this.options.threads.put({ ...thread, commentClaim: { by: this.writer, at: now } }, thread.version))) continue;
      const found = claim ? await this.findComment(octokit, repo, key.pullRequest) : undefined;
      const commentId = found ?? (await octokit.rest.issues.createComment({ ...repo, issue_number: key.pullRequest, body })).data.id;
      if (found !== undefined) await this.edited(octokit, repo, found, body);
      await this.recordComment(octokit, repo, key, commentId, thread.version + 1, masker);
      return;
    }
  }

  /**
   * Keeps the new comment's id with the thread. Should the thread have changed meanwhile, the
   * comment is brought up to date; should it name another comment already (a claim that ran out
   * while this one was slow), the new one is deleted, so a pull request never shows two.
   */
  private async recordComment(
    octokit: ProbotOctokit,
    repo: { owner: string; repo: string },
    key: ThreadKey,
    commentId: number,
    renderedAt: number,
    masker: Pick<Masker, "mask">,
  ): Promise<void> {
    for (let attempt = 0; attempt < THREAD_WRITE_ATTEMPTS; attempt++) {
      const thread = await this.options.threads.get(key);
      if (thread?.commentId !== undefined && thread.commentId !== commentId) {
        await octokit.rest.issues.deleteComment({ ...repo, comment_id: commentId });
        return;
      }
      const current = thread ?? emptyThread(key);
      const { commentClaim: _claim, ...rest } = current;
      if (!(await this.options.threads.put({ ...rest, commentId }, current.version))) continue;
      if (current.version !== renderedAt) await this.edited(octokit, repo, commentId, masker.mask(renderDeploymentComment(current, this.options.context)));
      return;
    }
  }

  /** False when the comment is gone (deleted by someone). */
  private async edited(octokit: ProbotOctokit, repo: { owner: string; repo: string }, commentId: number, body: string): Promise<boolean> {
    try {
      await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body });
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  }

  /** The app's own deployment comment on the pull request, by its marker; a comment by anyone else never counts. */
  private async findComment(octokit: ProbotOctokit, repo: { owner: string; repo: string }, pullRequest: number): Promise<number | undefined> {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: pullRequest, per_page: 100 });
    return comments.find((comment) => comment.performed_via_github_app?.id === this.options.appId && isDeploymentComment(comment.body))?.id;
  }
}
