import type { RerunIntent } from "../builds/rerun-intent.js";
import type { Trigger } from "../domain/trigger.js";
import type { CommentIntent } from "../commands/intent.js";

/** What intake records of a webhook: a build trigger, a comment's commands or a re-run request, never the payload. */
export type Intent = Trigger | CommentIntent | RerunIntent;
