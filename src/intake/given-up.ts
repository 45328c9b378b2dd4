import { deploymentIdFor } from "../domain/deployment-id.js";
import type { Dependencies } from "../workflows/dependencies.js";
import { createMasker } from "../variables/masking.js";
import { build } from "../workflows/commands/verbs/build.js";
import type { Intent } from "../ports/intent.js";

/** A build an intent may have begun: its deployment id, and the commit its check run is on when the intent says. */
interface BegunBuild {
  deploymentId: string;
  headSha?: string;
}

/** The builds an intent may have begun, as processing derives their ids (workflows/builds/process.ts, builds/rerun-intent.ts). */
function begunBuilds(intent: Intent): BegunBuild[] {
  switch (intent.kind) {
    case "push":
      return intent.deleted ? [] : [{ deploymentId: deploymentIdFor(intent.deliveryId), headSha: intent.after }];
    case "pull_request":
      return intent.action === "closed" ? [] : [{ deploymentId: deploymentIdFor(intent.deliveryId), headSha: intent.headSha }];
    case "merge_group":
      return [{ deploymentId: deploymentIdFor(intent.deliveryId), headSha: intent.headSha }];
    case "rerun":
      // A suite's runs are found through GitHub when processed; a run's are named by the event.
      return (intent.externalIds ?? []).map((externalId) => ({ deploymentId: deploymentIdFor(`${intent.deliveryId}:${externalId}`), headSha: intent.headSha }));
    case "comment":
      // `/build`: the pull request's head is known only to processing, so the build record alone finds its run.
      return intent.commands.some((line) => line.ok && line.command.verb === build.verb) ? [{ deploymentId: deploymentIdFor(intent.deliveryId) }] : [];
  }
}

/**
 * An intent the intake gave up on leaves no check run open (SPEC 5, 8): every run it created and no
 * build follows is completed `failure` with the reason. Runs are found through the build record, or
 * by their external_id on the commit.
 */
export async function closeGivenUpIntent(intent: Intent, attempts: number, deps: Pick<Dependencies, "records" | "checkRuns" | "log">): Promise<void> {
  const place = { installationId: intent.installationId, owner: intent.repository.owner, repo: intent.repository.name };
  for (const { deploymentId, headSha } of begunBuilds(intent)) {
    const record = await deps.records.get(deploymentId);
    // Done, or started: the watcher completes a started build's run.
    if (record?.completed || record?.buildId !== undefined) continue;
    const checkRunId = record?.checkRunId ?? (headSha === undefined ? undefined : await deps.checkRuns.find(place, headSha, undefined, deploymentId));
    if (checkRunId === undefined) continue;
    const output = {
      title: "The app gave up on this build",
      summary: `Processing this event failed ${attempts} times, so the app stopped trying; each failure is in the app's log. Re-run this check to try again.`,
    };
    // Nothing of the repository's is shown, so nothing to hide: a failure to read its secrets must not keep the run open.
    await deps.checkRuns.set(
      { ...place, checkRunId },
      { state: { status: "completed", conclusion: "failure", completedAt: new Date() }, output, mask: createMasker() },
    );
    if (record) await deps.records.put({ ...record, status: "FAILED", completed: true });
    deps.log.warn({ deliveryId: intent.deliveryId, deploymentId, checkRunId }, "check run of a given-up event completed as failure");
  }
}
