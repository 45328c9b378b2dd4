import type { Context, Probot } from "probot";
import type { Trigger } from "../builds/trigger.js";
import type { OwnerPolicy } from "../intake/owners.js";
import { mergeGroupTrigger, pullRequestTrigger, pushTrigger, type PayloadResult } from "../intake/payloads.js";
import type { IntakeQueue } from "../intake/queue.js";
import type { AppMetrics } from "../metrics/registry.js";

/** Push, pull request and merge queue events: validate, record the trigger, answer. */
export function registerBuildEvents(app: Probot, intake: IntakeQueue, owners: OwnerPolicy, metrics: AppMetrics): void {
  const receive =
    (parse: (deliveryId: string, payload: unknown) => PayloadResult<Trigger>) =>
    async (context: Context): Promise<void> => {
      const log = context.log.child({ deliveryId: context.id, event: context.name });
      const parsed = parse(context.id, context.payload);
      if (!parsed.ok) {
        metrics.webhookIgnored("payload_refused");
        log.warn({ issues: parsed.issues }, "webhook payload refused");
        return;
      }
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

  app.on("push", receive(pushTrigger));
  app.on(
    ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.closed"],
    receive(pullRequestTrigger),
  );
  app.on("merge_group.checks_requested", receive(mergeGroupTrigger));
}
