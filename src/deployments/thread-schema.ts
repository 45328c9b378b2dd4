import { z } from "zod";
import type { SameShape } from "../lib/stored-data.js";
import type { MaskedText } from "../variables/masking.js";
import { checkDeployUrl } from "./deploy-url.js";
import type { CommentClaim, DeploymentThread, ThreadEntry } from "./thread.js";
import { THREAD_ENTRIES_MAX } from "./thread.js";

/*
 * A thread as read back from the table: stored data is input. Its addresses are checked again
 * before they become links in a comment, and its shas before they are shown.
 */

const entrySchema = z.object({
  deploymentId: z.string().min(1),
  githubDeploymentId: z.number().int().positive(),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  state: z.enum(["queued", "in_progress", "success", "failure", "error", "inactive"]),
  url: z
    .string()
    .refine((url) => checkDeployUrl(url).ok, "not an http(s) address")
    .transform((url) => url as MaskedText)
    .optional(),
  createdAt: z.iso.datetime(),
});

const claimSchema = z.object({ by: z.string(), at: z.number() });

export const threadSchema = z.object({
  repositoryId: z.number().int().positive(),
  pullRequest: z.number().int().positive(),
  commentId: z.number().int().positive().optional(),
  commentClaim: claimSchema.optional(),
  entries: z.array(entrySchema).max(THREAD_ENTRIES_MAX),
  version: z.number().int().nonnegative(),
});

const _entry: SameShape<z.infer<typeof entrySchema>, ThreadEntry> = true;
const _claim: SameShape<z.infer<typeof claimSchema>, CommentClaim> = true;
const _thread: SameShape<z.infer<typeof threadSchema>, DeploymentThread> = true;
