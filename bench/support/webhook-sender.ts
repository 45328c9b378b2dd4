import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import { sign } from "../../test/support/webhooks.js";

/** A webhook as GitHub sends it: its own delivery id, signed with the app's secret. */
export interface SignedDelivery {
  id: string;
  headers: Record<string, string>;
  body: string;
}

/** The app's answer to one delivery: its status (0: no answer) and how long it took from sending. */
export interface DeliveryAnswer {
  id: string;
  /** When it was sent (ms since the epoch). */
  sentAt: number;
  ms: number;
  status: number;
}

export function signedDelivery(secret: string, event: string, payload: unknown): SignedDelivery {
  const id = randomUUID();
  const body = JSON.stringify(payload);
  const headers = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": id, "x-hub-signature-256": sign(secret, body) };
  return { id, headers, body };
}

const WORKER = new URL("./webhook-sender-worker.ts", import.meta.url).href;

/**
 * Sends `deliveries` to `url`, `inFlight` at a time, from a worker thread (see the worker); the
 * answers in the order they came. The worker registers tsx itself: a thread does not inherit the
 * process's module hooks.
 */
export function sendWebhooks(url: string, deliveries: SignedDelivery[], inFlight: number): Promise<DeliveryAnswer[]> {
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER)}); })`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: { url, deliveries, inFlight } });
    worker.once("message", (answers: DeliveryAnswer[]) => {
      resolve(answers);
      // Its idle keep-alive connections would hold it open.
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the webhook sender ended (exit code ${code}) without answers`)));
  });
}
