import { z } from "zod";
import type { SameShape } from "../lib/stored-data.js";
import type { Actor, BuildPlan, MergeGroupTrigger, PullRequestTrigger, PushTrigger, RepositoryRef } from "./trigger.js";
import { ENVIRONMENT_NAMES } from "./environment.js";

/*
 * Triggers and plans as the app reads them back from its table (intents, build records, remembered
 * triggers): stored data is input, checked like a webhook before anything acts on it.
 */

const id = z.number().int().nonnegative();

export const repositorySchema = z.object({
  id,
  owner: z.string(),
  name: z.string(),
  fullName: z.string(),
  defaultBranch: z.string(),
  private: z.boolean(),
  cloneUrl: z.string(),
});

export const actorSchema = z.object({ login: z.string(), id, type: z.string() });

const triggerBase = { deliveryId: z.string().min(1), installationId: id, repository: repositorySchema, sender: actorSchema };

const pushTriggerSchema = z.object({
  ...triggerBase,
  kind: z.literal("push"),
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  created: z.boolean(),
  deleted: z.boolean(),
  headCommitMessage: z.string().nullable(),
  changedFiles: z.array(z.string()).nullable(),
});

const pullRequestTriggerSchema = z.object({
  ...triggerBase,
  kind: z.literal("pull_request"),
  action: z.enum(["opened", "synchronize", "reopened", "closed"]),
  number: id,
  headSha: z.string(),
  headRef: z.string(),
  baseRef: z.string(),
  fromFork: z.boolean(),
  author: actorSchema,
  approvedSha: z.string().optional(),
});

const mergeGroupTriggerSchema = z.object({ ...triggerBase, kind: z.literal("merge_group"), headSha: z.string(), headRef: z.string(), baseRef: z.string() });

export const triggerSchema = z.discriminatedUnion("kind", [pushTriggerSchema, pullRequestTriggerSchema, mergeGroupTriggerSchema]);

export const buildPlanSchema = z.object({
  sha: z.string(),
  sourceVersion: z.string(),
  environment: z.enum(ENVIRONMENT_NAMES),
  branch: z.string(),
  baseBranch: z.string().optional(),
  pullRequestNumber: id.optional(),
  trusted: z.boolean(),
});

const _repository: SameShape<z.infer<typeof repositorySchema>, RepositoryRef> = true;
const _actor: SameShape<z.infer<typeof actorSchema>, Actor> = true;
const _push: SameShape<z.infer<typeof pushTriggerSchema>, PushTrigger> = true;
const _pullRequest: SameShape<z.infer<typeof pullRequestTriggerSchema>, PullRequestTrigger> = true;
const _mergeGroup: SameShape<z.infer<typeof mergeGroupTriggerSchema>, MergeGroupTrigger> = true;
const _plan: SameShape<z.infer<typeof buildPlanSchema>, BuildPlan> = true;
