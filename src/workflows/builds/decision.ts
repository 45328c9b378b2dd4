import type { ProbotOctokit } from "probot";
import { configRef, decideBuild, needsAuthorPermission, needsChangedFiles } from "../../builds/decide.js";
import { loadRepoConfig } from "../../config/load.js";
import type { Trigger } from "../../domain/trigger.js";
import type { Settings } from "../../settings.js";
import { authorPermission, changedFiles } from "./facts.js";
import { configPolicyFor, type PolicySettings } from "./repository-policy.js";
import type { Decided } from "./start-attempts.js";

export type DecisionSettings = PolicySettings & Pick<Settings, "runner" | "trustedBots">;

/**
 * The repository's config read where the trigger's build reads it (configRef), and what it says to
 * do (decideBuild), with the facts the decision needs fetched only when it needs them. Processing a
 * trigger and `/env list` both ask here, so they cannot disagree; `/env list` asks without
 * `pathFilters`, about a build that is not skipped for the files it changes.
 */
export async function decideTrigger(trigger: Trigger, octokit: ProbotOctokit, settings: DecisionSettings, { pathFilters = true } = {}): Promise<Decided> {
  const policy = configPolicyFor(settings, trigger.repository.fullName);
  const target = { owner: trigger.repository.owner, repo: trigger.repository.name, ref: configRef(trigger) };
  const loaded = await loadRepoConfig(octokit, target, policy);
  if (!loaded.ok) return loaded;
  const config = loaded.config;
  const decision = decideBuild(trigger, config, {
    untrustedRoleConfigured: settings.codebuild.untrustedRole !== undefined,
    localRunner: settings.runner === "local",
    trustedBots: settings.trustedBots,
    ...(trigger.kind === "pull_request" && trigger.approvedSha && { approvedSha: trigger.approvedSha }),
    changedFiles: pathFilters && needsChangedFiles(trigger, config) ? await changedFiles(octokit, trigger) : null,
    ...(trigger.kind === "pull_request" && needsAuthorPermission(trigger, config) && { authorPermission: await authorPermission(octokit, trigger) }),
  });
  return { ok: true, config, decision };
}
