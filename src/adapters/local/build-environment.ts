import { dirname } from "node:path";

/** The system's usual directories; the Node.js that runs the app comes first, so builds have node, npm and corepack. */
export const BUILD_PATH = `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

export interface BuildEnvironmentInput {
  /** The buildspec's env.variables. */
  buildspecVariables: Record<string, string>;
  /** The build's variables, secrets resolved to their values. */
  variables: { name: string; value: string }[];
  home: string;
  sourceDirectory: string;
  buildId: string;
  commit: string;
  sourceVersion: string;
  sourceLocation: string;
  startTime: Date;
}

/**
 * A build's whole environment; nothing of the app's own. Lowest first: a minimal base, the buildspec's
 * env.variables, the build's variables (CodeBuild: "The value in the start build operation call takes
 * highest precedence", buildspec reference), then CodeBuild's reserved CODEBUILD_ variables.
 */
export function buildEnvironment(input: BuildEnvironmentInput): Record<string, string> {
  return {
    PATH: BUILD_PATH,
    HOME: input.home,
    LANG: "C.UTF-8",
    CI: "true",
    ...input.buildspecVariables,
    ...Object.fromEntries(input.variables.map((v) => [v.name, v.value])),
    CODEBUILD_BUILD_ID: input.buildId,
    CODEBUILD_SRC_DIR: input.sourceDirectory,
    CODEBUILD_RESOLVED_SOURCE_VERSION: input.commit,
    CODEBUILD_SOURCE_VERSION: input.sourceVersion,
    CODEBUILD_SOURCE_REPO_URL: input.sourceLocation,
    CODEBUILD_START_TIME: String(input.startTime.getTime()),
  };
}
