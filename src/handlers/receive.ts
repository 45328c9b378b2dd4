import type { Context } from "probot";
import type { DurableIntake } from "../intake/durable.js";
import type { Intent } from "../ports/intent.js";
import type { PayloadResult } from "../intake/payloads.js";
import type { AppMetrics } from "../metrics/registry.js";

export type PayloadParser = (deliveryId: string, payload: unknown) => PayloadResult<Intent | null>;

/**
 * A webhook handler that only validates the payload into a small typed intent and records it
 * (SPEC 8); everything else happens after GitHub has its answer. A null intent (nothing to do) is
 * dropped; a duplicate delivery is answered 2xx and causes nothing. When the intent cannot be
 * recorded the error reaches Probot, which answers 500: GitHub marks the delivery failed, and
 * redelivery picks it up.
 */
export function receiver(intake: DurableIntake, prepare: (intent: Intent) => Intent, metrics: AppMetrics) {
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
      if (!(await intake.record(prepare(parsed.trigger)))) {
        metrics.webhookIgnored("duplicate_delivery");
        log.info("duplicate delivery ignored");
      }
    };
}
