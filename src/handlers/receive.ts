import type { Context } from "probot";
import type { Intent } from "../intake/intent.js";
import type { OwnerPolicy } from "../intake/owners.js";
import type { PayloadResult } from "../intake/payloads.js";
import type { IntakeQueue } from "../intake/queue.js";
import type { AppMetrics } from "../metrics/registry.js";

export type PayloadParser = (deliveryId: string, payload: unknown) => PayloadResult<Intent | null>;

/**
 * A webhook handler that validates the payload into an intent, checks the owner and records the
 * intent for processing after GitHub has its answer. A null intent (nothing to do) is dropped.
 */
export function receiver(intake: IntakeQueue, owners: OwnerPolicy, metrics: AppMetrics) {
  return (parse: PayloadParser) =>
    async (context: Context): Promise<void> => {
      const log = context.log.child({ deliveryId: context.id, event: context.name });
      const parsed = parse(context.id, context.payload);
      if (!parsed.ok) {
        metrics.webhookIgnored("payload_refused");
        log.warn({ issues: parsed.issues }, "webhook payload refused");
        return;
      }
      if (parsed.trigger === null) return;
      const owner = parsed.trigger.repository.owner;
      if (!(await owners.allows(owner))) {
        metrics.webhookIgnored("owner_not_allowed");
        log.warn({ owner }, "event from an owner outside ALLOWED_OWNERS ignored");
        return;
      }
      if (!intake.record(parsed.trigger)) {
        metrics.webhookIgnored("duplicate_delivery");
        log.info("duplicate delivery ignored");
      }
    };
}
