import type { ProbotOctokit } from "probot";
import { createCheckRun, findCheckRun, maskedCheckOutput, updateCheckRun, type CheckRunTarget, type RenderedCheckOutput } from "../adapters/github/checks.js";
import { renderConfigProblems } from "../checks/config-output.js";
import { UNTRUSTED_SOURCE_ADVICE } from "../checks/untrusted-source.js";
import { loadRepoConfig } from "../config/load.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../config/schema.js";
import type { Dependencies } from "../dependencies.js";
import { mergeVariables } from "../variables/merge.js";
import { storedSecrets } from "../variables/secret-tags.js";
import { identityVariables } from "../variables/identity.js";
import { repositoryMasker } from "./build-masking.js";
import { resolveBuildspec } from "./buildspec.js";
import { configPolicyFor, secretDomainOf } from "./repository-policy.js";
import { serviceRoleFor } from "./service-role.js";
import { storedForBuild } from "./stored-variables.js";
import { decideBuild, needsAuthorPermission, needsChangedFiles } from "./decide.js";
import { deploymentIdFor } from "./deployment-id.js";
import { authorPermission, changedFiles } from "./facts.js";
import type { BuildRecord } from "./record.js";
import { StartBuildError } from "./runner.js";
import { supersedeOlderBuilds } from "./supersede.js";
import type { BuildPlan, Trigger } from "./trigger.js";

/** The project name builds of the local runner carry (it has no CodeBuild projects). */
const LOCAL_PROJECT = "local";

/** Where the config is read: the built commit, or the base's default branch for a fork (never the fork's file). */
function configRef(trigger: Trigger): string {
  switch (trigger.kind) {
    case "push":
      return trigger.after;
    case "pull_request":
      return trigger.fromFork ? trigger.repository.defaultBranch : trigger.headSha;
    case "merge_group":
      return trigger.headSha;
  }
}

function headSha(trigger: Trigger): string {
  return trigger.kind === "push" ? trigger.after : trigger.headSha;
}

function targetOf(trigger: Trigger): CheckRunTarget {
  return { owner: trigger.repository.owner, repo: trigger.repository.name };
}

/** Turns one recorded trigger into a check run and, when the config says so, a build. */
export async function processTrigger(trigger: Trigger, deps: Dependencies): Promise<void> {
  const log = deps.log.child({ deliveryId: trigger.deliveryId, repository: trigger.repository.fullName, event: trigger.kind });
  if (trigger.kind === "push" && trigger.deleted) {
    log.info("branch or tag deleted: nothing to build");
    return;
  }
  const octokit = await deps.github(trigger.installationId);
  if (trigger.kind === "pull_request" && trigger.action === "closed") {
    await stopPullRequestBuilds(trigger.repository.id, trigger.number, deps);
    return;
  }
  const deploymentId = deploymentIdFor(trigger.deliveryId);
  // A record without a build id is a start cut short (a crash, an error): it goes on, and the
  // check run is found again by its external_id; StartBuild's idempotency token covers a start
  // that reached CodeBuild without its answer being recorded.
  const existing = await deps.records.get(deploymentId);
  if (existing?.buildId !== undefined || existing?.completed) {
    log.info({ deploymentId }, "already processed");
    return;
  }
  const policy = configPolicyFor(deps.settings, trigger.repository.fullName);
  const loaded = await loadRepoConfig(octokit, { ...targetOf(trigger), ref: configRef(trigger) }, policy);
  if (!loaded.ok) {
    const { annotations, ...output } = renderConfigProblems(loaded.problems);
    await concludeOnce(deps, octokit, trigger, deploymentId, DEFAULT_REPO_CONFIG.check_name, "failure", { ...output, annotations });
    deps.metrics.buildCompleted("config_invalid");
    log.info({ problems: loaded.problems.length }, "invalid .github/codebuild.yml");
    return;
  }
  const config = loaded.config;
  const decision = decideBuild(trigger, config, {
    untrustedRoleConfigured: deps.settings.codebuild.untrustedRole !== undefined,
    localRunner: deps.settings.runner === "local",
    trustedBots: deps.settings.trustedBots,
    ...(trigger.kind === "pull_request" && trigger.approvedSha && { approvedSha: trigger.approvedSha }),
    changedFiles: needsChangedFiles(trigger, config) ? await changedFiles(octokit, trigger) : null,
    ...(trigger.kind === "pull_request" &&
      needsAuthorPermission(trigger, config) && { authorPermission: await authorPermission(octokit, trigger) }),
  });
  switch (decision.kind) {
    case "ignore":
      log.info({ reason: decision.reason }, "not building");
      return;
    case "conclude":
      await concludeOnce(deps, octokit, trigger, deploymentId, config.check_name, decision.conclusion, {
        title: decision.title,
        summary: decision.summary,
      });
      deps.metrics.buildCompleted(decision.conclusion);
      return;
    case "build":
      await startBuild(octokit, trigger, decision.plan, config, deploymentId, deps);
  }
}

/** A check run completed at once, without a build (skipped, needs approval, invalid config). */
async function concludeOnce(
  deps: Dependencies,
  octokit: ProbotOctokit,
  trigger: Trigger,
  deploymentId: string,
  name: string,
  conclusion: "failure" | "skipped" | "action_required",
  output: RenderedCheckOutput,
): Promise<void> {
  const target = targetOf(trigger);
  const sha = headSha(trigger);
  // Kept before the run exists, so whoever re-runs the run finds what it was for.
  await deps.records.rememberTrigger(deploymentId, trigger);
  if (await findCheckRun(octokit, target, sha, name, deploymentId)) return;
  const masker = await repositoryMasker(deps, trigger.repository.id);
  await deps.writes.forInstallation(trigger.installationId).once(() => createCheckRun(octokit, target, {
    name,
    headSha: sha,
    externalId: deploymentId,
    state: { status: "completed", conclusion, completedAt: new Date() },
    output: maskedCheckOutput(masker, output),
  }));
}

async function startBuild(
  octokit: ProbotOctokit,
  trigger: Trigger,
  plan: BuildPlan,
  config: RepoConfig,
  deploymentId: string,
  deps: Dependencies,
): Promise<void> {
  const { settings, runner, records } = deps;
  const target = targetOf(trigger);
  const detailsUrl = `${settings.publicUrl}/builds/${deploymentId}`;
  const writes = deps.writes.forInstallation(trigger.installationId);
  const masker = await repositoryMasker(deps, trigger.repository.id);
  const checkRunId =
    (await findCheckRun(octokit, target, plan.sha, config.check_name, deploymentId)) ??
    (await writes.once(() => createCheckRun(octokit, target, {
      name: config.check_name,
      headSha: plan.sha,
      externalId: deploymentId,
      detailsUrl,
      state: { status: "queued" },
      output: maskedCheckOutput(masker, { title: "Queued", summary: "Waiting for CodeBuild to start the build." }),
    })));
  const record: BuildRecord = {
    deploymentId,
    installationId: trigger.installationId,
    repository: trigger.repository,
    trigger,
    plan,
    checkName: config.check_name,
    checkRunId,
    excerptLines: config.log_lines,
    variables: [],
    secretIds: [],
    status: "IN_PROGRESS",
    completed: false,
    createdAt: new Date().toISOString(),
  };
  const fail = async (title: string, summary: string) => {
    const output = maskedCheckOutput(masker, { title, summary });
    await writes.once(() => updateCheckRun(octokit, target, checkRunId, { status: "completed", conclusion: "failure", completedAt: new Date() }, output));
    await records.put({ ...record, status: "FAILED", completed: true });
    deps.metrics.buildCompleted("start_failed");
  };

  const projectName = config.project ?? (settings.runner === "local" ? LOCAL_PROJECT : undefined);
  if (!projectName) {
    return fail(
      "No CodeBuild project",
      `The app's operator maps no CodeBuild project to ${trigger.repository.fullName}: no rule of CODEBUILD_PROJECTS matches it and CODEBUILD_PROJECT is not set. Ask the operator to map it.`,
    );
  }
  const entries = await deps.variables.list(trigger.repository.id);
  // The map may have changed since the secrets were stored: they follow it before any build reads them.
  await deps.secretTags.ensure(trigger.repository.id, storedSecrets(entries), secretDomainOf(settings, trigger.repository.fullName));
  const { stored, secrets } = storedForBuild(entries, plan.environment);
  const merged = mergeVariables({
    config,
    environment: plan.environment,
    stored,
    secrets,
    identity: identityVariables({ repository: trigger.repository, plan, deploymentId }),
    trusted: plan.trusted,
  });
  if (!merged.ok) {
    return fail("Build variables refused", merged.problems.map((p) => `- ${p}`).join("\n"));
  }
  const secretIds = merged.variables.flatMap((v) => (v.type === "SECRETS_MANAGER" ? [v.value] : []));
  record.variables = merged.variables.map(({ name, source }) => ({ name, source }));
  record.secretIds = secretIds;
  const buildspec = await resolveBuildspec(config.buildspec);
  if (!buildspec.ok) return fail("Unknown buildspec", buildspec.problem);

  await records.put(record);
  await supersedeOlderBuilds({ deploymentId, trigger, plan }, config, deps);
  try {
    const { id } = await runner.start({
      projectName,
      sourceVersion: plan.sourceVersion,
      sourceType: settings.enterprise ? "GITHUB_ENTERPRISE" : "GITHUB",
      sourceLocation: trigger.repository.cloneUrl,
      buildspec: buildspec.buildspec,
      timeoutMinutes: config.timeout_minutes,
      variables: merged.variables,
      idempotencyToken: deploymentId,
      installationId: trigger.installationId,
      repositoryId: trigger.repository.id,
      noCache: !plan.trusted,
      // Roles are CodeBuild's; the local runner builds trusted code only, as the app's own user.
      ...(settings.runner === "codebuild" && { serviceRole: serviceRoleFor(plan, projectName, settings.codebuild) }),
      // Never to untrusted code: a connection's token reaches every repository it covers.
      ...(plan.trusted && settings.codebuild.sourceAuth && { sourceAuth: settings.codebuild.sourceAuth }),
    });
    await records.put({ ...record, buildId: id });
    deps.metrics.buildStarted();
    deps.log.info({ deploymentId, buildId: id, repository: trigger.repository.fullName }, "build started");
  } catch (error) {
    const known = error instanceof StartBuildError;
    deps.log.warn({ deploymentId, err: error }, "build could not be started");
    const message = known ? error.message : `CodeBuild could not be reached or failed: ${(error as Error).message}. Re-run this check to try again.`;
    await fail(known ? error.title : "The build could not be started", plan.trusted ? message : `${message}\n\n${UNTRUSTED_SOURCE_ADVICE}`);
  }
}

/**
 * Stops a pull request's running builds (it was closed, or someone said `/cancel`); the watcher
 * then sees them stopped and completes their check runs as cancelled. Returns how many.
 */
export async function stopPullRequestBuilds(repositoryId: number, pullRequest: number, deps: Dependencies): Promise<number> {
  const running = await deps.records.listRunning();
  const stopping = running.filter((r) => r.repository.id === repositoryId && r.plan.pullRequestNumber === pullRequest && r.buildId);
  for (const record of stopping) {
    await deps.runner.stop(record.buildId!);
    deps.log.info({ deploymentId: record.deploymentId, pullRequest }, "pull request build stopped");
  }
  return stopping.length;
}
