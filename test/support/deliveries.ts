import { randomUUID } from "node:crypto";
import { WEBHOOK_SECRET } from "./app.js";
import type { FakeGitHub } from "./fake-github.js";
import { sendWebhook } from "./webhooks.js";

interface Sent {
  event: string;
  payload: Record<string, any>;
}

/**
 * GitHub's side of webhook deliveries: each attempt is sent to wherever the app listens now, and
 * listed in the fake GitHub's delivery log with its answer (0 when the app could not be reached),
 * as GET /app/hook/deliveries shows it. A redelivery the app asks for is sent again with the same
 * delivery id, as GitHub does.
 */
export class Deliveries {
  /** Where the app answers webhooks now (it moves when a test restarts the app). */
  target: string;
  private readonly sent = new Map<string, Sent>();
  private readonly inFlight = new Set<Promise<number>>();

  constructor(
    private readonly github: FakeGitHub,
    target: string,
  ) {
    this.target = target;
    github.onRedeliver = (delivery) => {
      const original = this.sent.get(delivery.guid);
      if (original) void this.attempt(delivery.guid, original, true);
    };
  }

  /** Delivers an event once; resolves with the HTTP status (0 when the app was unreachable). */
  send(event: string, payload: Record<string, any>, guid: string = randomUUID()): Promise<number> {
    this.sent.set(guid, { event, payload });
    return this.attempt(guid, { event, payload }, false);
  }

  /** Resolves once every attempt under way has its answer. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private attempt(guid: string, { event, payload }: Sent, redelivery: boolean): Promise<number> {
    const attempt = sendWebhook(this.target, WEBHOOK_SECRET, event, payload, guid).then(
      (response) => response.status,
      () => 0,
    );
    const tracked = attempt.then((status) => {
      this.github.addDelivery({
        guid,
        status_code: status,
        redelivery,
        event,
        action: typeof payload.action === "string" ? payload.action : null,
        repository_id: payload.repository?.id ?? null,
      });
      this.inFlight.delete(tracked);
      return status;
    });
    this.inFlight.add(tracked);
    return tracked;
  }
}
