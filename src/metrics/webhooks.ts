import type { Probot } from "probot";
import type { AppMetrics } from "./registry.js";

/** Counts every verified webhook by event and action, whether or not a handler acts on it. */
export function countWebhooks(app: Pick<Probot, "onAny">, metrics: AppMetrics): void {
  app.onAny((context) => {
    const action = (context.payload as { action?: unknown }).action;
    metrics.webhookReceived(context.name, typeof action === "string" ? action : undefined);
  });
}
