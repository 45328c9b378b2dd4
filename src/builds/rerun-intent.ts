import type { Actor, RepositoryRef, Trigger } from "../domain/trigger.js";

/**
 * Someone asked GitHub to re-run a check run (`check_run.rerequested`) or every check run of a
 * suite (`check_suite.rerequested`). Intake records this; which builds it re-runs is found at
 * processing, from the runs' `external_id`s and the triggers recorded for them.
 */
export interface RerunIntent {
  kind: "rerun";
  deliveryId: string;
  installationId: number;
  repository: RepositoryRef;
  /** Who asked: only a user with write access re-runs anything. */
  sender: Actor;
  headSha: string;
  /** The app that made the run or suite: only this app's own are re-run. */
  appId: number;
  /** `check_run.rerequested`: the run's `external_id` (the app's deployment id). */
  externalIds?: string[];
  /** `check_suite.rerequested`: the suite whose runs are re-run. */
  checkSuiteId?: number;
}

/**
 * The trigger of a re-run: the recorded one, asked for again by `intent`'s sender under a delivery
 * id of its own per run, so the new build gets a new deployment id that a redelivery of the same
 * request maps to again. The repository and installation are the event's: a rename or a new
 * installation since the first build changes where the app writes, not what it builds. A pull request's is built as a new push to it would be (never as closed);
 * an approval it carried (`/build <sha>`) stays, since it is for this same commit, and none is added.
 */
export function rerunTrigger(recorded: Trigger, intent: RerunIntent, externalId: string): Trigger {
  const asked = {
    ...recorded,
    deliveryId: `${intent.deliveryId}:${externalId}`,
    installationId: intent.installationId,
    repository: intent.repository,
    sender: intent.sender,
  };
  return asked.kind === "pull_request" ? { ...asked, action: "synchronize" } : asked;
}
