import type { Logger } from "pino";
import { buildLogUrl } from "../../checks/log-url.js";
import {
  newDeployment,
  QUEUED_STATUS,
  replacedStatus,
  START_FAILED_STATUS,
  type BuildDeployment,
  type DeploymentStatus,
} from "../../deployments/deployment.js";
import { replacedBy, withEntry, withInactive, type ThreadEntry } from "../../deployments/thread.js";
import type { BuildRecord } from "../../ports/build-records.js";
import type { DeploymentComments, DeploymentTarget, DeploymentWriteKind, Deployments } from "../../ports/deployments.js";
import type { Masker } from "../../variables/masking.js";
import type { Dependencies } from "../dependencies.js";

/** What following a build as a deployment goes through: the two ports, and where log pages are. */
export interface DeploymentReporting {
  deployments: Deployments;
  deploymentComments: DeploymentComments;
  /** The log page of a build, by its DEPLOYMENT_ID (SPEC 7). */
  logUrl(deploymentId: string): string;
  log: Pick<Logger, "warn">;
}

/** How a workflow with the app's dependencies reports deployments. */
export function deploymentReporting(deps: Pick<Dependencies, "deployments" | "deploymentComments" | "settings" | "log">): DeploymentReporting {
  return {
    deployments: deps.deployments,
    deploymentComments: deps.deploymentComments,
    logUrl: (id) => buildLogUrl(deps.settings.publicUrl, id),
    log: deps.log,
  };
}

/** A build as its deployment is reported: from its record. */
export type DeployingBuild = Pick<BuildRecord, "deploymentId" | "installationId" | "repository" | "plan" | "createdAt" | "supersededBy"> & {
  deployment: BuildDeployment;
};

function targetOf(build: Pick<BuildRecord, "installationId" | "repository">): DeploymentTarget {
  return { installationId: build.installationId, owner: build.repository.owner, repo: build.repository.name };
}

/**
 * The build's deployment, before the build starts (SPEC 10): the one an earlier attempt made when
 * it may have made one (`lookFirst`), found by its DEPLOYMENT_ID, or else a new one; then `queued`,
 * and the pull request's comment made or brought up to date. The status and the comment follow in
 * their turn of the write budget: the build does not wait for them.
 */
export async function openDeployment(
  build: Omit<DeployingBuild, "deployment" | "supersededBy">,
  options: { known?: BuildDeployment; lookFirst: boolean; masker: Pick<Masker, "mask"> },
  reporting: DeploymentReporting,
): Promise<BuildDeployment> {
  const target = targetOf(build);
  const { plan, deploymentId } = build;
  const environment = plan.environment;
  const found = options.known?.id ?? (options.lookFirst ? await reporting.deployments.find(target, { sha: plan.sha, environment, deploymentId }) : undefined);
  const id =
    found ??
    (await reporting.deployments.create(
      target,
      newDeployment({
        sha: plan.sha,
        environment,
        deploymentId,
        branch: plan.branch,
        ...(plan.pullRequestNumber !== undefined && { pullRequestNumber: plan.pullRequestNumber }),
      }),
    ));
  const deployment = { id, environment };
  void reportStatus({ ...build, deployment }, QUEUED_STATUS, options.masker, "progress", reporting);
  return deployment;
}

/** A deployment whose build could not be started ends `error`; its check run says why. */
export function reportStartFailure(build: DeployingBuild, masker: Pick<Masker, "mask">, reporting: DeploymentReporting): Promise<void> {
  return reportStatus(build, START_FAILED_STATUS, masker, "completion", reporting);
}

/**
 * Sends a build's deployment status and brings its pull request's comment up to date; a preview that
 * succeeded leaves the pull request's earlier ones `inactive`. Failures are logged, never thrown:
 * a deployment is what the build reports, not what decides it.
 */
export async function reportStatus(
  build: DeployingBuild,
  status: DeploymentStatus,
  masker: Pick<Masker, "mask">,
  kind: DeploymentWriteKind,
  reporting: DeploymentReporting,
): Promise<void> {
  const target = targetOf(build);
  const sent = reporting.deployments.report(target, build.deployment.id, { ...status, logUrl: reporting.logUrl(build.deploymentId) }, masker, kind);
  const shown = build.plan.pullRequestNumber === undefined ? Promise.resolve() : showInThread(build, status, masker, kind, reporting);
  const [statusSent] = await Promise.all([sent, shown]).catch((err: unknown) => {
    reporting.log.warn({ err, deploymentId: build.deploymentId }, "reporting the build's deployment failed");
    return [true];
  });
  if (!statusSent) reporting.log.warn({ deploymentId: build.deploymentId, state: status.state }, "GitHub refused the deployment's status");
}

async function showInThread(
  build: DeployingBuild,
  status: DeploymentStatus,
  masker: Pick<Masker, "mask">,
  kind: DeploymentWriteKind,
  reporting: DeploymentReporting,
): Promise<void> {
  const target = targetOf(build);
  const key = { repositoryId: build.repository.id, pullRequest: build.plan.pullRequestNumber! };
  const entry: ThreadEntry = {
    deploymentId: build.deploymentId,
    githubDeploymentId: build.deployment.id,
    sha: build.plan.sha,
    state: status.state,
    ...(status.environmentUrl !== undefined && { url: status.environmentUrl }),
    createdAt: build.createdAt,
  };
  const { thread, written } = await reporting.deploymentComments.update(target, key, (t) => withEntry(t, entry), masker, kind);
  const replaced = replacedBy(thread, thread.entries.find((e) => e.deploymentId === entry.deploymentId) ?? entry);
  if (replaced.length === 0) {
    await written;
    return;
  }
  const inactive = replaced.map((earlier) =>
    reporting.deployments.report(
      target,
      earlier.githubDeploymentId,
      { ...replacedStatus(build.plan.sha), logUrl: reporting.logUrl(earlier.deploymentId) },
      masker,
      "completion",
    ),
  );
  const after = await reporting.deploymentComments.update(target, key, (t) => withInactive(t, replaced), masker, kind);
  await Promise.all([written, after.written, ...inactive]);
}
