import { randomUUID } from "node:crypto";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
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

const SENDER = fileURLToPath(new URL("./webhook-sender-process.ts", import.meta.url));
/** Where `--import tsx` is resolved from. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Sends `warmUp`, then `deliveries`, to `url`, `inFlight` at a time, from a process of its own (see
 * webhook-sender-process.ts); `between` runs once the warm-up is answered, before the measured
 * deliveries go. The answers to the measured deliveries, in the order they came.
 */
export function sendWebhooks(
  url: string,
  warmUp: SignedDelivery[],
  deliveries: SignedDelivery[],
  inFlight: number,
  between: (warmUp: DeliveryAnswer[]) => Promise<void>,
): Promise<DeliveryAnswer[]> {
  return new Promise((resolve, reject) => {
    const sender = fork(SENDER, { cwd: ROOT, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    sender.once("message", (warmUpAnswers) => {
      sender.once("message", (answers) => resolve(answers as DeliveryAnswer[]));
      between(warmUpAnswers as DeliveryAnswer[]).then(() => sender.send("go"), reject);
    });
    sender.once("error", reject);
    sender.once("exit", (code) => reject(new Error(`the webhook sender ended (exit code ${code}) before answering`)));
    sender.send({ url, warmUp, deliveries, inFlight });
  });
}
