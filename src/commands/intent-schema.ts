import { z } from "zod";
import { actorSchema, repositorySchema } from "../domain/trigger-schema.js";
import type { SameShape } from "../lib/stored-data.js";
import type { CommentIntent } from "./intent.js";
import type { CommandError, ParsedLine } from "./types.js";

/**
 * A comment's commands as read back from the table (stored data is input). A command is checked
 * here for its verb only: its arguments are read back by its own module's schema before it runs
 * (workflows/commands/run.ts), so that a command's shape lives in one file.
 */

const line = z.number().int().positive();

const storedCommandSchema = z.looseObject({ verb: z.string().min(1) });
const commandErrorSchema = z.object({ ok: z.literal(false), line, verb: z.string(), message: z.string(), usage: z.string() });
const parsedLineSchema = z.union([z.object({ ok: z.literal(true), line, command: storedCommandSchema }), commandErrorSchema]);

export const commentIntentSchema = z.object({
  kind: z.literal("comment"),
  deliveryId: z.string().min(1),
  installationId: z.number().int().nonnegative(),
  repository: repositorySchema,
  sender: actorSchema,
  issueNumber: z.number().int().positive(),
  isPullRequest: z.boolean(),
  commentId: z.number().int().nonnegative(),
  commands: z.array(parsedLineSchema),
  tooMany: z.number().int().nonnegative().optional(),
  holdsSecret: z.boolean(),
});

const _commandError: SameShape<Omit<z.infer<typeof commandErrorSchema>, "ok">, CommandError> = true;
const _parsedLine: SameShape<z.infer<typeof parsedLineSchema>, ParsedLine> = true;
const _intent: SameShape<z.infer<typeof commentIntentSchema>, CommentIntent> = true;
