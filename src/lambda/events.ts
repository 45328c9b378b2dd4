import { z } from "zod";
import { intentSchema } from "../ports/intent-schema.js";

/*
 * The events AWS Lambda hands the app, as far as it reads them: each is parsed here, so a malformed
 * one is refused with zod's issues instead of failing deep inside.
 */

/** A Lambda function URL's request, which is API Gateway's HTTP API payload format 2.0. */
export const httpEventSchema = z.object({
  version: z.literal("2.0"),
  rawPath: z.string(),
  rawQueryString: z.string().default(""),
  headers: z.record(z.string(), z.string()).default({}),
  cookies: z.array(z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ http: z.object({ method: z.string() }), domainName: z.string().optional() }),
});
export type HttpEvent = z.infer<typeof httpEventSchema>;

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

export const sqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string(), eventSourceARN: z.string().optional() })),
});
export type SqsEvent = z.infer<typeof sqsEventSchema>;

/** SQS's partial batch response (ReportBatchItemFailures): the messages to be delivered again. */
export interface SqsBatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * EventBridge's CodeBuild events ("Build State Change", "Build Phase Change"; CodeBuild user guide,
 * "Build notifications input format reference") and its scheduled events.
 */
export const eventBridgeEventSchema = z.union([
  z.object({
    source: z.literal("aws.codebuild"),
    "detail-type": z.enum(["CodeBuild Build State Change", "CodeBuild Build Phase Change"]),
    detail: z.object({ "build-id": z.string(), "project-name": z.string() }).passthrough(),
  }),
  z.object({ source: z.literal("aws.events"), "detail-type": z.literal("Scheduled Event") }).passthrough(),
]);
export type EventBridgeEvent = z.infer<typeof eventBridgeEventSchema>;

/** What the app sends itself through its queues. */
export const queueMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("intent"), intent: intentSchema }),
  z.object({ kind: z.literal("refresh"), deploymentId: z.string() }),
]);
export type QueueMessage = z.infer<typeof queueMessageSchema>;

/** A build's id as the app keeps it (`project:uuid`), from the ARN an event names. */
export function buildIdOf(arnOrId: string): string {
  const at = arnOrId.indexOf(":build/");
  return at === -1 ? arnOrId : arnOrId.slice(at + ":build/".length);
}
