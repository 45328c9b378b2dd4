import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";

/**
 * GitHub's own cap on a webhook's payload ("Payloads are capped at 25 MB", GitHub Docs, Webhook
 * events and payloads): no delivery is larger, so a larger body is refused before it is read whole
 * or its signature checked.
 */
export const WEBHOOK_MAX_BODY_BYTES = 25 * 1024 * 1024;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts a byte cap in front of the webhook route of a Probot server: Probot's middleware buffers a
 * body of any size before it checks the signature. A POST to `webhookPath` is read here, up to
 * `maxBytes`, and handed on as the string Probot reads it as (`@octokit/webhooks` takes a string
 * `body` as the payload); a larger one gets 413 and its connection is closed. Other requests pass
 * untouched (the app's own routes have their own 1 MiB cap).
 */
export function limitWebhookBodies(server: HttpServer, webhookPath: string, maxBytes = WEBHOOK_MAX_BODY_BYTES): void {
  const handlers = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  const route = withoutTrailingSlashes(webhookPath);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const handOn = () => handlers.forEach((handler) => handler.call(server, req, res));
    if (req.method !== "POST" || pathOf(req.url) !== route) return handOn();
    readBody(req, maxBytes).then(
      (body) => {
        if (body === undefined) return refuse(res, maxBytes);
        (req as IncomingMessage & { body?: string }).body = body;
        handOn();
      },
      () => res.destroy(),
    );
  });
}

/** The body as UTF-8 text, or undefined as soon as it is known to be over `maxBytes`. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      chunks.length = 0;
      resolve(undefined);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function refuse(res: ServerResponse, maxBytes: number): void {
  const body = JSON.stringify({
    error: { code: "body_too_large", message: `The webhook body is over ${maxBytes} bytes, more than GitHub ever sends: it was not read` },
  });
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" }).end(body);
}

function pathOf(url: string | undefined): string {
  try {
    return withoutTrailingSlashes(new URL(url ?? "/", "http://localhost").pathname);
  } catch {
    return "";
  }
}

/** A loop, not `/\/+$/`: that regex is quadratic on a path of many slashes, and any client chooses the path. */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}
