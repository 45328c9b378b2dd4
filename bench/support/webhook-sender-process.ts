import { request } from "node:http";
import type { DeliveryAnswer, SignedDelivery } from "./webhook-sender.js";

/*
 * Sends deliveries to the app from a process of its own (webhook-sender.ts starts it), so an answer
 * is timed when it arrives and not when the scenario's busy process (dynalite, the GitHub fake,
 * nock intercepting every request) gets round to it. Each delivery opens a connection of its own,
 * as GitHub's do.
 */
interface Job {
  url: string;
  warmUp: SignedDelivery[];
  deliveries: SignedDelivery[];
  inFlight: number;
}

function send(url: URL, delivery: SignedDelivery): Promise<DeliveryAnswer> {
  return new Promise((resolve) => {
    const sentAt = Date.now();
    const startedAt = performance.now();
    const answered = (status: number) => resolve({ id: delivery.id, sentAt, ms: performance.now() - startedAt, status });
    const headers = { ...delivery.headers, "content-length": String(Buffer.byteLength(delivery.body)) };
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => answered(res.statusCode ?? 0));
    });
    req.on("error", () => answered(0));
    req.end(delivery.body);
  });
}

/** Sends them all, `inFlight` at a time; the answers in the order they came. */
async function sendAll(url: URL, list: SignedDelivery[], inFlight: number): Promise<DeliveryAnswer[]> {
  const answers: DeliveryAnswer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < list.length) answers.push(await send(url, list[next++]!));
    }),
  );
  return answers;
}

const job = await new Promise<Job>((resolve) => process.once("message", (message) => resolve(message as Job)));
const url = new URL(job.url);
process.send!(await sendAll(url, job.warmUp, job.inFlight));
// The scenario reads the app's state between the warm-up and the measured deliveries, then says go.
await new Promise((resolve) => process.once("message", resolve));
process.send!(await sendAll(url, job.deliveries, job.inFlight), () => process.exit(0));
