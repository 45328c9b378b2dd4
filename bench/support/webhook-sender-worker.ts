import { parentPort, workerData } from "node:worker_threads";
import type { DeliveryAnswer, SignedDelivery } from "./webhook-sender.js";

/*
 * Sends deliveries to the app from a thread of its own, so the answer is timed when it arrives and
 * not when the scenario's busy thread (dynalite, the GitHub fake) gets round to it. Nock, which
 * intercepts every request of that thread, is not loaded here either.
 */
const { url, deliveries, inFlight } = workerData as { url: string; deliveries: SignedDelivery[]; inFlight: number };

async function send(delivery: SignedDelivery): Promise<DeliveryAnswer> {
  const sentAt = Date.now();
  const startedAt = performance.now();
  try {
    const response = await fetch(url, { method: "POST", headers: delivery.headers, body: delivery.body });
    await response.arrayBuffer();
    return { id: delivery.id, sentAt, ms: performance.now() - startedAt, status: response.status };
  } catch {
    return { id: delivery.id, sentAt, ms: performance.now() - startedAt, status: 0 };
  }
}

const answers: DeliveryAnswer[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < deliveries.length) answers.push(await send(deliveries[next++]!));
  }),
);
parentPort!.postMessage(answers);
