import { Hono } from "hono";
import type { AppMetrics } from "./registry.js";

/** `GET /metrics`: the Prometheus text exposition (SPEC 7). */
export function metricsRoutes(metrics: AppMetrics): Hono {
  const routes = new Hono();
  routes.get("/metrics", async (c) => c.body(await metrics.text(), 200, { "content-type": metrics.contentType, "cache-control": "no-store" }));
  return routes;
}
