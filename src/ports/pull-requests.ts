import type { Actor } from "../domain/trigger.js";

/** A pull request as the build of its head would see it. */
export interface PullRequestFacts {
  number: number;
  open: boolean;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** Its head is in another repository (or one since deleted). */
  fromFork: boolean;
  author: Actor;
}

/** The pull requests of one repository. */
export interface PullRequests {
  get(number: number): Promise<PullRequestFacts>;
}
