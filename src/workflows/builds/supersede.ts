import type { RepoConfig } from "../../config/schema.js";
import type { Dependencies } from "../dependencies.js";
import type { BuildRecord } from "../../ports/build-records.js";
import type { BuildPlan, Trigger } from "../../domain/trigger.js";

/** A build about to start, which may supersede older running ones. */
export interface NewBuild {
  deploymentId: string;
  trigger: Trigger;
  plan: BuildPlan;
}

/** `cancel_in_progress` (SPEC 2): on for pull requests and off for pushes unless the file says otherwise. */
export function cancelsInProgress(trigger: Trigger, config: Pick<RepoConfig, "cancel_in_progress">): boolean {
  return config.cancel_in_progress ?? trigger.kind === "pull_request";
}

/**
 * The running builds that `next` supersedes: of the same repository and the same pull request or,
 * for a push, the same branch or tag. Merge groups never: each group is a different candidate
 * merge that the queue waits on.
 */
export function supersededBuilds(running: readonly BuildRecord[], next: NewBuild, config: Pick<RepoConfig, "cancel_in_progress">): BuildRecord[] {
  if (next.trigger.kind === "merge_group" || !cancelsInProgress(next.trigger, config)) return [];
  return running.filter(
    (record) =>
      record.deploymentId !== next.deploymentId &&
      record.buildId !== undefined &&
      !record.completed &&
      record.repository.id === next.trigger.repository.id &&
      sameLine(record, next),
  );
}

/** Builds of one pull request, or of one pushed ref that no pull request built. */
function sameLine(record: BuildRecord, next: NewBuild): boolean {
  if (next.plan.pullRequestNumber !== undefined) return record.plan.pullRequestNumber === next.plan.pullRequestNumber;
  return (
    next.trigger.kind === "push" && record.trigger.kind === "push" && record.plan.pullRequestNumber === undefined && record.trigger.ref === next.trigger.ref
  );
}

/**
 * Stops the builds that a new one supersedes, marking each first so that its check run completes
 * as superseded rather than plainly cancelled. Best effort: a build that ended meanwhile cannot be
 * stopped, and nothing here may keep the new build from starting. Returns how many were stopped.
 */
export async function supersedeOlderBuilds(
  next: NewBuild,
  config: Pick<RepoConfig, "cancel_in_progress">,
  deps: Pick<Dependencies, "records" | "runner" | "log">,
): Promise<number> {
  let stopped = 0;
  try {
    for (const record of supersededBuilds(await deps.records.listRunning(), next, config)) {
      const log = deps.log.child({ deploymentId: record.deploymentId, supersededBy: next.plan.sha });
      try {
        await deps.records.markSuperseded(record.deploymentId, next.plan.sha);
        await deps.runner.stop(record.buildId!);
        stopped++;
        log.info("build superseded by a newer commit's and stopped");
      } catch (err) {
        log.warn({ err }, "a superseded build could not be stopped");
      }
    }
  } catch (err) {
    deps.log.warn({ err, deploymentId: next.deploymentId }, "looking for builds to supersede failed");
  }
  return stopped;
}
