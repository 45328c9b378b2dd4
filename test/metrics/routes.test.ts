import { createHttpApp, httpHandler } from "../../src/http/app.js";
import { AppMetrics, METRICS_PREFIX } from "../../src/metrics/registry.js";
import { metricsRoutes } from "../../src/metrics/routes.js";
import { serveHandler, type ServedHandler } from "../support/serve-handler.js";
import { valueOf } from "./exposition.js";

describe("GET /metrics", () => {
  const metrics = new AppMetrics();
  let served: ServedHandler;
  let url: string;

  beforeAll(async () => {
    served = await serveHandler(httpHandler(createHttpApp({ error: () => undefined }, [metricsRoutes(metrics)])));
    url = served.url;
  });

  afterAll(() => served.close());

  test("answers Prometheus text with the app's metrics and Node's", async () => {
    metrics.webhookReceived("push");
    metrics.buildCompleted("timed_out");
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(valueOf(text, `${METRICS_PREFIX}webhooks_received_total`, { event: "push", action: "" })).toBe(1);
    expect(valueOf(text, `${METRICS_PREFIX}builds_completed_total`, { outcome: "timed_out" })).toBe(1);
    expect(text).toContain(`# HELP ${METRICS_PREFIX}watcher_lag_seconds `);
    expect(text).toContain("# TYPE nodejs_heap_size_used_bytes gauge");
  });

  test("is a path of the app's own (APP_PATHS), not Probot's", async () => {
    const response = await fetch(`${url}/metrics/other`);
    expect(await response.text()).toBe("declined");
  });
});
