import type { Logger } from "pino";
import type { Intent } from "./intent.js";

/** How many deliveries are remembered to recognise duplicates. */
const REMEMBERED_DELIVERIES = 10_000;
/** Intents processed at once; the rest wait in order. */
const CONCURRENCY = 4;

/**
 * Intake: the webhook handler records an intent here and answers GitHub at once;
 * processing happens after the answer. A duplicate delivery (same delivery id) is
 * recognised and causes nothing.
 */
export class IntakeQueue {
  private readonly seen = new Set<string>();
  private readonly pending: Intent[] = [];
  private active = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly process: (intent: Intent) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** False when this delivery was recorded before. */
  record(intent: Intent): boolean {
    if (this.seen.has(intent.deliveryId)) return false;
    this.seen.add(intent.deliveryId);
    if (this.seen.size > REMEMBERED_DELIVERIES) this.seen.delete(this.seen.values().next().value!);
    this.pending.push(intent);
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
      const intent = this.pending.shift()!;
      this.active++;
      void this.process(intent)
        .catch((err: unknown) => this.log.error({ err, deliveryId: intent.deliveryId, event: intent.kind }, "processing failed"))
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.pending.length === 0) this.idle.splice(0).forEach((resolve) => resolve());
        });
    }
  }
}
