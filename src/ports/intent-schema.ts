import { z } from "zod";
import type { RerunIntent } from "../builds/rerun-intent.js";
import { actorSchema, repositorySchema, triggerSchema } from "../domain/trigger-schema.js";
import { commentIntentSchema } from "../commands/intent-schema.js";
import type { SameShape } from "../lib/stored-data.js";

const rerunIntentSchema = z.object({
  kind: z.literal("rerun"),
  deliveryId: z.string().min(1),
  installationId: z.number().int().nonnegative(),
  repository: repositorySchema,
  sender: actorSchema,
  headSha: z.string(),
  appId: z.number().int().nonnegative(),
  externalIds: z.array(z.string()).optional(),
  checkSuiteId: z.number().int().nonnegative().optional(),
});

/** An intent as read back from the table or a queue: a build trigger, a comment's commands or a re-run request. */
export const intentSchema = z.union([triggerSchema, commentIntentSchema, rerunIntentSchema]);

const _rerun: SameShape<z.infer<typeof rerunIntentSchema>, RerunIntent> = true;
