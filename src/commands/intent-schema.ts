import { z } from "zod";
import { actorSchema, repositorySchema } from "../domain/trigger-schema.js";
import type { SameShape } from "../lib/stored-data.js";
import type { CommentIntent } from "./intent.js";
import type { Assignment, CommandError, ParsedLine } from "./types.js";
import { ENVIRONMENT_NAMES } from "../domain/environment.js";

/** A comment's commands as read back from the table (stored data is input): the typed commands intake recorded. */

const scope = z.enum(["all", ...ENVIRONMENT_NAMES]);
const line = z.number().int().positive();

const assignmentSchema = z.object({ name: z.string(), value: z.string(), writtenPlain: z.boolean().optional() });

const commandSchema = z.discriminatedUnion("verb", [
  z.object({ verb: z.literal("env set"), environment: scope, assignments: z.array(assignmentSchema) }),
  z.object({ verb: z.literal("env unset"), environment: scope, names: z.array(z.string()) }),
  z.object({ verb: z.literal("env list"), environment: scope }),
  z.object({ verb: z.literal("secret set"), environment: scope, assignment: assignmentSchema }),
  z.object({ verb: z.literal("build"), sha: z.string().optional() }),
  z.object({ verb: z.literal("cancel") }),
  z.object({ verb: z.literal("help") }),
]);

const commandErrorSchema = z.object({ ok: z.literal(false), line, verb: z.string(), message: z.string(), usage: z.string() });
const parsedLineSchema = z.union([z.object({ ok: z.literal(true), line, command: commandSchema }), commandErrorSchema]);

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

const _assignment: SameShape<z.infer<typeof assignmentSchema>, Assignment> = true;
const _commandError: SameShape<Omit<z.infer<typeof commandErrorSchema>, "ok">, CommandError> = true;
const _parsedLine: SameShape<z.infer<typeof parsedLineSchema>, ParsedLine> = true;
const _intent: SameShape<z.infer<typeof commentIntentSchema>, CommentIntent> = true;
