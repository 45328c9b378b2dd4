import type { EnvironmentName } from "./environment.js";

/** A repository as the app needs it; everything keyed by its numeric id. */
export interface RepositoryRef {
  id: number;
  owner: string;
  name: string;
  /** `owner/name` */
  fullName: string;
  defaultBranch: string;
  private: boolean;
  cloneUrl: string;
}

export interface Actor {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization" | string;
}

/**
 * What a webhook asks for, reduced to the few typed fields the app acts on.
 * Never the raw payload: this is what intake records and processing reads.
 */
export type Trigger = PushTrigger | PullRequestTrigger | MergeGroupTrigger;

interface TriggerBase {
  deliveryId: string;
  installationId: number;
  repository: RepositoryRef;
  sender: Actor;
}

export interface PushTrigger extends TriggerBase {
  kind: "push";
  /** `refs/heads/<branch>` or `refs/tags/<tag>` */
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  headCommitMessage: string | null;
  /**
   * Files added, modified or removed by the pushed commits, or null when the payload
   * cannot tell (more than 20 commits, a new branch): then `paths` filters do not apply.
   */
  changedFiles: string[] | null;
}

export interface PullRequestTrigger extends TriggerBase {
  kind: "pull_request";
  action: "opened" | "synchronize" | "reopened" | "closed";
  number: number;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** The head repository differs from the base (or is gone): code from outside. */
  fromFork: boolean;
  author: Actor;
  /** A maintainer's `/build <sha>` approved this head commit of a fork's pull request. */
  approvedSha?: string;
}

export interface MergeGroupTrigger extends TriggerBase {
  kind: "merge_group";
  headSha: string;
  /** `refs/heads/gh-readonly-queue/<base>/pr-…` */
  headRef: string;
  /** `refs/heads/<base>` */
  baseRef: string;
}

/** What the core decided to build, from a trigger and the repository's config. */
export interface BuildPlan {
  sha: string;
  /** CodeBuild `sourceVersion`: `refs/…^{sha}` */
  sourceVersion: string;
  environment: EnvironmentName;
  /** The branch being built (a PR's head branch), or the tag for a tag push. */
  branch: string;
  baseBranch?: string;
  pullRequestNumber?: number;
  /** False for code from forks and bots: no secrets, untrusted role, no cache. */
  trusted: boolean;
}
