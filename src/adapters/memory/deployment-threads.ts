import type { DeploymentThreadStore } from "../../ports/deployments.js";
import type { DeploymentThread, ThreadKey } from "../../deployments/thread.js";

/** Deployment threads in this process's memory: for tests. */
export class MemoryDeploymentThreadStore implements DeploymentThreadStore {
  private readonly threads = new Map<string, DeploymentThread>();

  async get(key: ThreadKey): Promise<DeploymentThread | undefined> {
    const thread = this.threads.get(keyOf(key));
    return thread && structuredClone(thread);
  }

  async put(thread: DeploymentThread, readVersion: number): Promise<boolean> {
    if ((this.threads.get(keyOf(thread))?.version ?? 0) !== readVersion) return false;
    this.threads.set(keyOf(thread), { ...structuredClone(thread), version: readVersion + 1 });
    return true;
  }
}

function keyOf(key: ThreadKey): string {
  return `${key.repositoryId}#${key.pullRequest}`;
}
