import type { BuildVariable } from "./variables.js";

/** CodeBuild's build statuses; the local runner reports the same. */
export type BuildStatus = "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "FAULT" | "TIMED_OUT" | "STOPPED";

/** Everything StartBuild needs, in the app's words. */
export interface StartBuildRequest {
  projectName: string;
  sourceVersion: string;
  sourceType: "GITHUB" | "GITHUB_ENTERPRISE";
  sourceLocation: string;
  /** Inline buildspec (a builtin) or a path in the repository; undefined = the project's own. */
  buildspec?: string;
  timeoutMinutes?: number;
  variables: BuildVariable[];
  idempotencyToken: string;
  /** The installation and repository the build is of: the local runner asks for a token to fetch with. */
  installationId: number;
  repositoryId: number;
  /** Service role for untrusted builds. */
  serviceRole?: string;
  /** Untrusted builds must not read or write the shared cache. */
  noCache: boolean;
  sourceAuth?: { type: "CODECONNECTIONS" | "SECRETS_MANAGER"; resource: string };
}

export interface BuildPhase {
  name: string;
  status?: string;
  startTime?: Date;
  endTime?: Date;
  durationSeconds?: number;
  /** CodeBuild's phase contexts: why a phase failed. */
  messages: string[];
}

/** A build as the runner reports it. */
export interface BuildSnapshot {
  id: string;
  status: BuildStatus;
  currentPhase?: string;
  startTime?: Date;
  endTime?: Date;
  phases: BuildPhase[];
  logs?: { groupName?: string; streamName?: string; deepLink?: string; s3Only: boolean };
  /** The buildspec's `env.exported-variables` with their values at the build's end (CodeBuild's `exportedEnvironmentVariables`). */
  exportedVariables?: { name: string; value: string }[];
}

/** A build the runner could not start, with words the user can act on. */
export class StartBuildError extends Error {
  constructor(
    message: string,
    readonly title: string,
  ) {
    super(message);
    this.name = "StartBuildError";
  }
}
