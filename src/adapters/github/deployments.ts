import type { ProbotOctokit } from "probot";
import type { EnvironmentName } from "../../domain/environment.js";
import { payloadDeploymentId, type DeploymentStatus, type NewDeployment } from "../../deployments/deployment.js";
import type { DeploymentTarget, DeploymentWriteKind, Deployments } from "../../ports/deployments.js";
import type { Masker } from "../../variables/masking.js";
import type { GitHubWriteBudgets } from "../../ports/write-budget.js";

export interface GitHubDeploymentsOptions {
  /** An Octokit authenticated as the app's installation. */
  github(installationId: number): Promise<ProbotOctokit>;
  writes: GitHubWriteBudgets;
}

/**
 * Deployments and their statuses on GitHub ("Deployments" and "Deployment statuses" of the REST API),
 * through each installation's write budget: a deployment made counts as content created; a status
 * changes what exists, as a check run's update does, and waits under its deployment's key, so a
 * newer status replaces one not sent yet and a final one goes before progress.
 */
export class GitHubDeployments implements Deployments {
  constructor(private readonly options: GitHubDeploymentsOptions) {}

  async find(target: DeploymentTarget, build: { sha: string; environment: EnvironmentName; deploymentId: string }): Promise<number | undefined> {
    const octokit = await this.options.github(target.installationId);
    const listed = await octokit.paginate(octokit.rest.repos.listDeployments, {
      owner: target.owner,
      repo: target.repo,
      sha: build.sha,
      environment: build.environment,
      per_page: 100,
    });
    return listed.find((deployment) => payloadDeploymentId(deployment.payload) === build.deploymentId)?.id;
  }

  async create(target: DeploymentTarget, deployment: NewDeployment): Promise<number> {
    const octokit = await this.options.github(target.installationId);
    return this.options.writes.forInstallation(target.installationId).once("creates", async () => {
      const { data } = await octokit.rest.repos.createDeployment({ owner: target.owner, repo: target.repo, ...deployment });
      // 202 is GitHub's answer when it merged the default branch in first, which auto_merge: false rules out.
      if (!("id" in data)) throw new Error(`GitHub made no deployment: ${data.message ?? "it gave no reason"}`);
      return data.id;
    });
  }

  report(
    target: DeploymentTarget,
    id: number,
    status: DeploymentStatus & { logUrl: string },
    masker: Pick<Masker, "mask">,
    kind: DeploymentWriteKind,
  ): Promise<boolean> {
    return this.options.writes
      .forInstallation(target.installationId)
      .submit(`deployment:${id}`, kind, async () => {
        const octokit = await this.options.github(target.installationId);
        await octokit.rest.repos.createDeploymentStatus({
          owner: target.owner,
          repo: target.repo,
          deployment_id: id,
          state: status.state,
          description: masker.mask(status.description),
          log_url: status.logUrl,
          ...(status.environmentUrl !== undefined && { environment_url: masker.mask(status.environmentUrl) }),
        });
      })
      .then((outcome) => outcome.status !== "failed");
  }
}
