import type { BuildSnapshot } from "../domain/build.js";
import { checkStatus } from "../checks/conclusion.js";
import { shortSha } from "../checks/title.js";
import type { EnvironmentName } from "../domain/environment.js";
import type { MaskedText } from "../variables/masking.js";
import type { DeployUrl } from "./deploy-url.js";

/** The states of a GitHub deployment status the app sends ("Create a deployment status"; `pending` unused). */
export type DeploymentState = "queued" | "in_progress" | "success" | "failure" | "error" | "inactive";

/** GitHub cuts a deployment status's description at 140 characters ("Create a deployment status"). */
export const DEPLOYMENT_DESCRIPTION_MAX = 140;

/** A build's GitHub deployment, as its record keeps it. */
export interface BuildDeployment {
  /** GitHub's id of the deployment. */
  id: number;
  environment: EnvironmentName;
}

/** What a new deployment asks GitHub for ("Create a deployment"), in GitHub's field names. */
export interface NewDeployment {
  ref: string;
  environment: EnvironmentName;
  production_environment: boolean;
  transient_environment: boolean;
  auto_merge: false;
  required_contexts: [];
  payload: { DEPLOYMENT_ID: string };
  description: string;
}

/** A build about to become a deployment. */
export interface DeployedBuild {
  sha: string;
  environment: EnvironmentName;
  deploymentId: string;
  pullRequestNumber?: number;
  branch: string;
}

/**
 * The deployment of a build (SPEC 10): of its commit, in its environment — production for good,
 * a preview for as long as it is the pull request's latest — with the app's id of the build in the
 * payload, so that a retried start finds it instead of making another. `auto_merge` off and no
 * required contexts: the build itself is the check, and the app must never merge anything.
 */
export function newDeployment(build: DeployedBuild): NewDeployment {
  const production = build.environment === "production";
  return {
    ref: build.sha,
    environment: build.environment,
    production_environment: production,
    transient_environment: !production,
    auto_merge: false,
    required_contexts: [],
    payload: { DEPLOYMENT_ID: build.deploymentId },
    description: cutDescription(
      build.pullRequestNumber !== undefined
        ? `Preview of pull request #${build.pullRequestNumber}`
        : `${production ? "Production" : "Preview"} build of ${build.branch}`,
    ),
  };
}

/** The `DEPLOYMENT_ID` of a deployment's payload as GitHub lists it (an object, or JSON text); undefined when it has none. */
export function payloadDeploymentId(payload: unknown): string | undefined {
  let value = payload;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  const id = typeof value === "object" && value !== null ? (value as Record<string, unknown>).DEPLOYMENT_ID : undefined;
  return typeof id === "string" ? id : undefined;
}

/** A deployment status to send: `environmentUrl` only with `success`. */
export interface DeploymentStatus {
  state: DeploymentState;
  description: string;
  environmentUrl?: MaskedText;
}

/** The build as the deployment follows it. */
export interface FollowedDeployment {
  build: BuildSnapshot & { deployUrl?: DeployUrl };
  /** The commit whose build stopped this one. */
  supersededBy?: string;
}

/**
 * The deployment status that says how a build stands: `queued` until CodeBuild leaves its queue,
 * `in_progress`, then `success` with DEPLOY_URL, `failure` (the build's commands failed or ran out
 * of time) or `error` (CodeBuild's own fault); a build stopped — superseded by a newer commit, or
 * cancelled — leaves its deployment `inactive`, as a replaced preview.
 */
export function deploymentStatusOf({ build, supersededBy }: FollowedDeployment): DeploymentStatus {
  switch (build.status) {
    case "IN_PROGRESS":
      return checkStatus(build) === "queued" ? QUEUED_STATUS : { state: "in_progress", description: "Building" };
    case "SUCCEEDED": {
      const url = build.deployUrl && "url" in build.deployUrl ? build.deployUrl.url : undefined;
      return url === undefined
        ? { state: "success", description: "Built; the build set no DEPLOY_URL" }
        : { state: "success", description: "Deployed", environmentUrl: url };
    }
    case "FAILED":
      return { state: "failure", description: "The build failed" };
    case "TIMED_OUT":
      return { state: "failure", description: "The build timed out" };
    case "FAULT":
      return { state: "error", description: "CodeBuild reported a fault: running the build again usually helps" };
    case "STOPPED":
      return { state: "inactive", description: supersededBy === undefined ? "Cancelled" : `Superseded by ${shortSha(supersededBy)}` };
  }
}

/** The status of a deployment made for a build about to start. */
export const QUEUED_STATUS: DeploymentStatus = { state: "queued", description: "Waiting for the build to start" };

/** The status of a deployment whose build never started. */
export const START_FAILED_STATUS: DeploymentStatus = { state: "error", description: "The build could not be started: the check run says why" };

/** The status of a preview that a newer commit's preview replaced. */
export function replacedStatus(bySha: string): DeploymentStatus {
  return { state: "inactive", description: `Replaced by the preview of ${shortSha(bySha)}` };
}

/** States after which nothing more happens to a deployment but being replaced. */
export function isFinalState(state: DeploymentState): boolean {
  return state !== "queued" && state !== "in_progress";
}

function cutDescription(text: string): string {
  return text.length <= DEPLOYMENT_DESCRIPTION_MAX ? text : `${text.slice(0, DEPLOYMENT_DESCRIPTION_MAX - 1)}…`;
}
