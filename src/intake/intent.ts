import type { Trigger } from "../builds/trigger.js";
import type { CommentIntent } from "../commands/intent.js";

/** What intake records of a webhook: a build trigger or a comment's commands, never the payload. */
export type Intent = Trigger | CommentIntent;
