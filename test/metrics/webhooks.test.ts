import { pino } from "pino";
import { Probot } from "probot";
import { AppMetrics, METRICS_PREFIX } from "../../src/metrics/registry.js";
import { countWebhooks } from "../../src/metrics/webhooks.js";
import { testPrivateKey } from "../support/fake-github.js";
import { examplePayload } from "../support/webhooks.js";
import { valueOf } from "./exposition.js";

test("every webhook Probot receives is counted by event and action", async () => {
  const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), log: pino({ level: "silent" }) });
  const metrics = new AppMetrics({ processMetrics: false });
  countWebhooks(probot, metrics);
  await probot.receive({ id: "1", name: "pull_request", payload: examplePayload("pull_request", (p) => p.action === "opened") } as any);
  await probot.receive({ id: "2", name: "pull_request", payload: examplePayload("pull_request", (p) => p.action === "closed") } as any);
  await probot.receive({ id: "3", name: "push", payload: examplePayload("push") } as any);
  const text = await metrics.text();
  const received = `${METRICS_PREFIX}webhooks_received_total`;
  expect(valueOf(text, received, { event: "pull_request", action: "opened" })).toBe(1);
  expect(valueOf(text, received, { event: "pull_request", action: "closed" })).toBe(1);
  expect(valueOf(text, received, { event: "push", action: "" })).toBe(1);
});
