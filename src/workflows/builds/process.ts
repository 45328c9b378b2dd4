import type { Logger } from "pino";
import { renderConfigProblems } from "../../checks/config-output.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../config/schema.js";
import type { Dependencies } from "../dependencies.js";
import type { RenderedCheckOutput } from "../../ports/check-runs.js";
import { mergeVariables } from "../../variables/merge.js";
import { createMasker } from "../../variables/masking.js";
import { buildLogUrl } from "../../checks/log-url.js";
import { deploymentReporting, openDeployment, reportStartFailure } from "../deployments/report.js";
import { storedSecrets } from "../variables/secret-tags.js";
import { identityVariables } from "../../variables/identity.js";
import { repositoryMasker } from "./build-masking.js";
import { resolveBuildspec } from "./buildspec.js";
import { secretDomainOf } from "./repository-policy.js";
import { serviceRoleFor } from "../../builds/service-role.js";
import { deploymentIdFor } from "../../domain/deployment-id.js";
import { decideTrigger } from "./decision.js";
import type { BuildRecord } from "../../ports/build-records.js";
import { BuildStart } from "./start-attempts.js";
import { supersedeOlderBuilds } from "./supersede.js";
import type { BuildPlan, Trigger } from "../../domain/trigger.js";

/** The project name builds of the local runner carry (it has no CodeBuild projects). */
const LOCAL_PROJECT = "local";

function headSha(trigger: Trigger): string {
  return trigger.kind === "push" ? trigger.after : trigger.headSha;
}

/** What processing a trigger reaches the world through. */
export type ProcessDependencies = Pick<
  Dependencies,
  | "settings"
  | "github"
  | "checkRuns"
  | "deployments"
  | "deploymentComments"
  | "records"
  | "runner"
  | "variables"
  | "secretTags"
  | "secretValues"
  | "metrics"
  | "log"
>;

/** What an event's processing knows of earlier attempts at it (the intake's). */
export interface ProcessingAttempt {
  /** The event's first attempt, just recorded by this process: no check run of it can exist yet, so none is looked up. */
  first: boolean;
}

/**
 * Turns one recorded trigger into a check run and, when the config says so, a build. Every check
 * run it creates ends: an error on the way that can pass is tried again (BuildStart), one that
 * cannot completes the run `failure` with what failed and what to do.
 */
export async function processTrigger(trigger: Trigger, deps: ProcessDependencies, attempt: ProcessingAttempt): Promise<void> {
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
  const start = new BuildStart(trigger, deploymentIdFor(trigger.deliveryId), headSha(trigger), octokit, deps, log);
  await start.run((afterEarlierAttempt) => decideAndAct(trigger, start, afterEarlierAttempt, deps, log), !attempt.first);
  // A deployment made for a build that could not start ends `error`; the check run says why.
  if (start.failed && start.record && start.deployment) {
    await reportStartFailure({ ...start.record, deployment: start.deployment }, start.masker ?? createMasker(), deploymentReporting(deps));
  }
}

/** One attempt: the config read, the decision, and a check run completed at once or a build started. */
async function decideAndAct(trigger: Trigger, start: BuildStart, afterEarlierAttempt: boolean, deps: ProcessDependencies, log: Logger): Promise<void> {
  const { deploymentId } = start;
  start.record = undefined;
  start.startingUntrusted = false;
  // A record without a build id is a start cut short (a crash, an error): it goes on with the check
  // run it names; StartBuild's idempotency token covers a start that reached CodeBuild without its
  // answer being recorded.
  const existing = afterEarlierAttempt ? await deps.records.get(deploymentId) : undefined;
  if (existing?.buildId !== undefined || existing?.completed) {
    log.info({ deploymentId }, "already processed");
    return;
  }
  start.checkRunId ??= existing?.checkRunId;
  start.deployment ??= existing?.deployment;
  // Decided once: an attempt after a failed start does not read the config again.
  const decided = (start.decided ??= await decideTrigger(trigger, start.octokit, deps.settings));
  if (!decided.ok) {
    const { annotations, ...output } = renderConfigProblems(decided.problems);
    await conclude(start, DEFAULT_REPO_CONFIG.check_name, afterEarlierAttempt, "failure", { ...output, annotations }, deps);
    deps.metrics.buildCompleted("config_invalid");
    log.info({ problems: decided.problems.length }, "invalid .github/codebuild.yml");
    return;
  }
  const { config, decision } = decided;
  switch (decision.kind) {
    case "ignore":
      log.info({ reason: decision.reason }, "not building");
      return;
    case "conclude":
      await conclude(start, config.check_name, afterEarlierAttempt, decision.conclusion, { title: decision.title, summary: decision.summary }, deps);
      deps.metrics.buildCompleted(decision.conclusion);
      return;
    case "build":
      await startBuild(start, trigger, decision.plan, config, afterEarlierAttempt, deps);
  }
}

/**
 * A check run completed at once, without a build (skipped, needs approval, invalid config). One an
 * earlier attempt created is completed again: it may have been the queued run of a start cut short.
 */
async function conclude(
  start: BuildStart,
  name: string,
  afterEarlierAttempt: boolean,
  conclusion: "failure" | "skipped" | "action_required",
  output: RenderedCheckOutput,
  deps: ProcessDependencies,
): Promise<void> {
  start.checkName = name;
  start.masker = await repositoryMasker(deps.secretValues, await deps.variables.list(start.trigger.repository.id));
  await findEarlierCheckRun(start, afterEarlierAttempt, deps);
  await start.complete(output, conclusion);
}

/** The check run an earlier attempt may have created, found by its external_id; a first attempt creates it without asking. */
async function findEarlierCheckRun(start: BuildStart, afterEarlierAttempt: boolean, deps: Pick<ProcessDependencies, "checkRuns">): Promise<void> {
  if (start.checkRunId !== undefined || !afterEarlierAttempt) return;
  start.checkRunId = await deps.checkRuns.find(start.place, start.headSha, start.checkName!, start.deploymentId);
}

async function startBuild(
  start: BuildStart,
  trigger: Trigger,
  plan: BuildPlan,
  config: RepoConfig,
  afterEarlierAttempt: boolean,
  deps: ProcessDependencies,
): Promise<void> {
  const { settings, runner, records } = deps;
  const { deploymentId } = start;
  const detailsUrl = buildLogUrl(settings.publicUrl, deploymentId);
  start.checkName = config.check_name;
  // The build's one read of the stored variables: its masking, its secrets' tags and its variables.
  const entries = await deps.variables.list(trigger.repository.id);
  start.masker = await repositoryMasker(deps.secretValues, entries);
  await findEarlierCheckRun(start, afterEarlierAttempt, deps);
  const queued = start.content({ status: "queued" }, { title: "Queued", summary: "Waiting for CodeBuild to start the build." });
  const checkRunId = (start.checkRunId ??= await deps.checkRuns.create(start.place, {
    ...queued,
    name: config.check_name,
    headSha: plan.sha,
    externalId: deploymentId,
    detailsUrl,
  }));
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
  start.record = record;

  const projectName = config.project ?? (settings.runner === "local" ? LOCAL_PROJECT : undefined);
  if (!projectName) {
    return start.fail({
      passing: false,
      title: "No CodeBuild project",
      summary: `The app's operator maps no CodeBuild project to ${trigger.repository.fullName}: no rule of CODEBUILD_PROJECTS matches it and CODEBUILD_PROJECT is not set. Ask the operator to map it.`,
    });
  }
  start.projectName = projectName;
  // The map may have changed since the secrets were stored: they follow it before any build reads them.
  await deps.secretTags.ensure(trigger.repository.id, storedSecrets(entries), secretDomainOf(settings, trigger.repository.fullName));
  const merged = mergeVariables({
    config,
    environment: plan.environment,
    stored: entries,
    identity: identityVariables({ repository: trigger.repository, plan, deploymentId }),
    trusted: plan.trusted,
  });
  if (!merged.ok) {
    return start.fail({ passing: false, title: "Build variables refused", summary: merged.problems.map((p) => `- ${p}`).join("\n") });
  }
  const secretIds = merged.variables.flatMap((v) => (v.type === "SECRETS_MANAGER" ? [v.value] : []));
  record.variables = merged.variables.map(({ name, source }) => ({ name, source }));
  record.secretIds = secretIds;
  const buildspec = await resolveBuildspec(config.buildspec);
  if (!buildspec.ok) return start.fail({ passing: false, title: "Unknown buildspec", summary: buildspec.problem });

  // Never for untrusted code (SPEC 10): its build would choose what the deployment shows.
  if (config.deployment && plan.trusted) {
    record.deployment = start.deployment = await openDeployment(
      record,
      { known: start.deployment, lookFirst: afterEarlierAttempt, masker: start.masker },
      deploymentReporting(deps),
    );
  }
  await records.put(record);
  await supersedeOlderBuilds({ deploymentId, trigger, plan }, config, deps);
  start.startingUntrusted = !plan.trusted;
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
  start.startingUntrusted = false;
  await records.put({ ...record, buildId: id });
  deps.metrics.buildStarted();
  deps.log.info({ deploymentId, buildId: id, repository: trigger.repository.fullName }, "build started");
}

/**
 * Stops a pull request's running builds (it was closed, or someone said `/cancel`); the watcher
 * then sees them stopped and completes their check runs as cancelled. Returns how many.
 */
export async function stopPullRequestBuilds(
  repositoryId: number,
  pullRequest: number,
  deps: Pick<Dependencies, "records" | "runner" | "log">,
): Promise<number> {
  const running = await deps.records.listRunning();
  const stopping = running.filter((r) => r.repository.id === repositoryId && r.plan.pullRequestNumber === pullRequest && r.buildId);
  for (const record of stopping) {
    await deps.runner.stop(record.buildId!);
    deps.log.info({ deploymentId: record.deploymentId, pullRequest }, "pull request build stopped");
  }
  return stopping.length;
}
