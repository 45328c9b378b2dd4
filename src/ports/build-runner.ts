import type { BuildSnapshot, StartBuildRequest } from "../domain/build.js";

/** Runs builds: CodeBuild in AWS mode, bash on this machine in embedded mode. */
export interface BuildRunner {
  start(request: StartBuildRequest): Promise<{ id: string }>;
  /** Current state of builds; ids the runner does not know are left out. */
  get(ids: string[]): Promise<BuildSnapshot[]>;
  stop(id: string): Promise<void>;
}
