import type { Logger } from "pino";
import type { Trigger } from "../builds/trigger.js";

/** How many deliveries are remembered to recognise duplicates. */
const REMEMBERED_DELIVERIES = 10_000;
/** Triggers processed at once; the rest wait in order. */
const CONCURRENCY = 4;

/**
 * Intake: the webhook handler records a trigger here and answers GitHub at once;
 * processing happens after the answer. A duplicate delivery (same delivery id) is
 * recognised and causes nothing.
 */
export class IntakeQueue {
  private readonly seen = new Set<string>();
  private readonly pending: Trigger[] = [];
  private active = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly process: (trigger: Trigger) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** False when this delivery was recorded before. */
  record(trigger: Trigger): boolean {
    if (this.seen.has(trigger.deliveryId)) return false;
    this.seen.add(trigger.deliveryId);
    if (this.seen.size > REMEMBERED_DELIVERIES) this.seen.delete(this.seen.values().next().value!);
    this.pending.push(trigger);
    this.pump();
    return true;
  }

  /** Resolves once everything recorded so far is processed. */
  drained(): Promise<void> {
    if (this.active === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.active < CONCURRENCY && this.pending.length > 0) {
      const trigger = this.pending.shift()!;
      this.active++;
      void this.process(trigger)
        .catch((err: unknown) => this.log.error({ err, deliveryId: trigger.deliveryId, event: trigger.kind }, "processing failed"))
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.pending.length === 0) this.idle.splice(0).forEach((resolve) => resolve());
        });
    }
  }
}
