import type { ProbotOctokit } from "probot";
import { canWrite, userPermission } from "../../adapters/github/permissions.js";
import type { Dependencies } from "../dependencies.js";
import { rerunTrigger, type RerunIntent } from "../../builds/rerun-intent.js";
import type { Trigger } from "../../domain/trigger.js";

export type RerunDependencies = Pick<Dependencies, "records" | "github" | "log"> & {
  /** Processes a trigger as a webhook's would be: a re-run is a new build of the recorded one. */
  processTrigger(trigger: Trigger): Promise<void>;
};

/**
 * A re-run (SPEC 4): for a user with write access, a new build of the same commit with the trigger
 * recorded for each of this app's runs asked for, and a new check run; for anyone else nothing.
 * Re-running an `action_required` run decides again as before: it is no approval (that is `/build <sha>`).
 */
export async function processRerun(intent: RerunIntent, deps: RerunDependencies, appId: number): Promise<void> {
  const log = deps.log.child({ deliveryId: intent.deliveryId, repository: intent.repository.fullName, event: "rerun" });
  if (intent.appId !== appId) {
    log.info({ appId: intent.appId }, "re-run of another app's checks: nothing to do");
    return;
  }
  const octokit = await deps.github(intent.installationId);
  const permission = await userPermission(octokit, intent.repository, intent.sender.login);
  if (!canWrite(permission)) {
    log.info({ sender: intent.sender.login, permission }, "re-run asked for by a user without write access: nothing re-run");
    return;
  }
  const externalIds = intent.externalIds ?? (await ownRunsOfSuite(octokit, intent, appId));
  for (const externalId of new Set(externalIds)) {
    const recorded = await deps.records.triggerOf(externalId);
    // The id comes from GitHub, but a record of another repository must never be built for this one.
    if (!recorded || recorded.repository.id !== intent.repository.id) {
      log.info({ externalId }, "no build recorded for this check run: nothing to re-run");
      continue;
    }
    await deps.processTrigger(rerunTrigger(recorded, intent, externalId));
  }
}

/** The `external_id`s of this app's latest runs in the suite: one per check name, as GitHub's "Re-run all checks" means. */
async function ownRunsOfSuite(octokit: ProbotOctokit, intent: RerunIntent, appId: number): Promise<string[]> {
  if (intent.checkSuiteId === undefined) return [];
  const runs = await octokit.paginate(octokit.rest.checks.listForSuite, {
    owner: intent.repository.owner,
    repo: intent.repository.name,
    check_suite_id: intent.checkSuiteId,
    filter: "latest",
    per_page: 100,
  });
  return runs.flatMap((run) => (run.app?.id === appId && run.external_id ? [run.external_id] : []));
}
