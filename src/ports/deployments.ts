import type { DeploymentStatus, NewDeployment } from "../deployments/deployment.js";
import type { DeploymentThread, ThreadKey } from "../deployments/thread.js";
import type { EnvironmentName } from "../domain/environment.js";
import type { Masker } from "../variables/masking.js";

/** The repository a deployment or a comment is written in, and the installation that writes it. */
export interface DeploymentTarget {
  installationId: number;
  owner: string;
  repo: string;
}

/**
 * What the kind of a write says of its turn in the installation's write budget: a final status or a
 * comment that reports one goes before progress, and is never replaced by it (SPEC 8).
 */
export type DeploymentWriteKind = "completion" | "progress";

/**
 * GitHub deployments (SPEC 10), each write through the installation's write budget and every text
 * masked inside: no caller budgets or masks by hand.
 */
export interface Deployments {
  /** The deployment of `sha` in `environment` whose payload names `deploymentId`, if an earlier attempt made one. */
  find(target: DeploymentTarget, build: { sha: string; environment: EnvironmentName; deploymentId: string }): Promise<number | undefined>;
  create(target: DeploymentTarget, deployment: NewDeployment): Promise<number>;
  /**
   * Sends a status of deployment `id` with the build's log page; a status still waiting for its
   * turn is replaced by a newer one (latest wins). Resolves true once sent, false when GitHub refused it.
   */
  report(
    target: DeploymentTarget,
    id: number,
    status: DeploymentStatus & { logUrl: string },
    masker: Pick<Masker, "mask">,
    kind: DeploymentWriteKind,
  ): Promise<boolean>;
}

/**
 * A pull request's deployment comment: one comment, edited in place, showing the thread (SPEC 10).
 * `change` is applied to the thread as stored (any replica's latest), then the comment is brought
 * up to date through the write budget, masked. Resolves with the thread as changed, once the
 * change is stored (the comment follows in its turn; `written` says when).
 */
export interface DeploymentComments {
  update(
    target: DeploymentTarget,
    key: ThreadKey,
    change: (thread: DeploymentThread) => DeploymentThread,
    masker: Pick<Masker, "mask">,
    kind: DeploymentWriteKind,
  ): Promise<{ thread: DeploymentThread; written: Promise<boolean> }>;
  /** The pull request's thread as stored: what its comment shows. */
  thread(key: ThreadKey): Promise<DeploymentThread | undefined>;
}

/** Where threads are kept (the app's table): a thread is written only over the version it was read at. */
export interface DeploymentThreadStore {
  get(key: ThreadKey): Promise<DeploymentThread | undefined>;
  /** Writes `thread` with its version one more than `readVersion` (0: there was none); false when another write came first. */
  put(thread: DeploymentThread, readVersion: number): Promise<boolean>;
}
