import { z } from "zod";
import type { SameShape } from "../lib/stored-data.js";
import { ENVIRONMENT_NAMES } from "../domain/environment.js";
import { checkDeployUrl } from "../deployments/deploy-url.js";
import type { MaskedText } from "../variables/masking.js";
import type { BuildRecord, RecordedPhase, RecordedSnapshot } from "./build-records.js";
import { buildPlanSchema, repositorySchema, triggerSchema } from "../domain/trigger-schema.js";

/*
 * A build record as read back from the table: stored data is input, checked before the watcher,
 * the log page or a re-run acts on it. JSON keeps times as ISO strings; they are read back as Dates.
 */

const time = z.iso.datetime().transform((text) => new Date(text));

/** A record's phase messages were masked before they were written (RecordedPhase). */
const maskedText = z.string().transform((text) => text as MaskedText);

/** A DEPLOY_URL is checked again as it is read back: only an address the app would publish is taken. */
const deployUrlSchema = z.union([
  z.object({ url: maskedText.refine((url) => checkDeployUrl(url).ok, "not an http(s) address"), masked: z.boolean() }),
  z.object({ problem: z.string() }),
]);

const phaseSchema = z.object({
  name: z.string(),
  status: z.string().optional(),
  startTime: time.optional(),
  endTime: time.optional(),
  durationSeconds: z.number().nonnegative().optional(),
  messages: z.array(maskedText),
});

const snapshotSchema = z.object({
  id: z.string(),
  status: z.enum(["IN_PROGRESS", "SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]),
  currentPhase: z.string().optional(),
  startTime: time.optional(),
  endTime: time.optional(),
  phases: z.array(phaseSchema),
  logs: z.object({ groupName: z.string().optional(), streamName: z.string().optional(), deepLink: z.string().optional(), s3Only: z.boolean() }).optional(),
  deployUrl: deployUrlSchema.optional(),
});

const variableSource = z.enum(["default", "file", "file-environment", "stored", "stored-environment", "secret", "secret-environment", "identity"]);

/**
 * The record as `put` writes it: without `supersededBy` and `watchedBy`, which are attributes of their
 * own. A field added to BuildRecord is added here too (the check below fails to compile until it is).
 */
export const storedBuildRecordSchema = z.object({
  deploymentId: z.string().min(1),
  installationId: z.number().int().nonnegative(),
  repository: repositorySchema,
  trigger: triggerSchema,
  plan: buildPlanSchema,
  checkName: z.string(),
  checkRunId: z.number().int().nonnegative(),
  excerptLines: z.number().int().nonnegative(),
  variables: z.array(z.object({ name: z.string(), source: variableSource })),
  secretIds: z.array(z.string()),
  logCursor: z.string().optional(),
  deployment: z.object({ id: z.number().int().positive(), environment: z.enum(ENVIRONMENT_NAMES) }).optional(),
  buildId: z.string().optional(),
  status: snapshotSchema.shape.status,
  snapshot: snapshotSchema.optional(),
  sealedAddMasks: z.string().optional(),
  completed: z.boolean(),
  createdAt: z.string(),
});

const _phase: SameShape<z.infer<typeof phaseSchema>, RecordedPhase> = true;
const _snapshot: SameShape<z.infer<typeof snapshotSchema>, RecordedSnapshot> = true;
const _record: SameShape<z.infer<typeof storedBuildRecordSchema>, Omit<BuildRecord, "supersededBy" | "watchedBy">> = true;
