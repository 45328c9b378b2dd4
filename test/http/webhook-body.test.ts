import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { limitWebhookBodies } from "../../src/http/webhook-body.js";

const PATH = "/api/github/webhooks";
const LIMIT = 1024;

/** A server whose own handler answers with what it received, behind the webhook body cap. */
async function serve(): Promise<{ server: Server; port: number; seen: { path: string; body: unknown }[] }> {
  const seen: { path: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? "", body: (req as IncomingMessage & { body?: unknown }).body });
    // A body read by the cap has ended already; any other is drained here.
    if (req.readableEnded) return void res.writeHead(200).end("handled");
    req.resume();
    req.on("end", () => res.writeHead(200).end("handled"));
  });
  limitWebhookBodies(server, PATH, LIMIT);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

/** A POST whose body goes in chunks without a Content-Length (Transfer-Encoding: chunked). */
function postChunked(port: number, path: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("limitWebhookBodies: GitHub's cap on webhook bodies, before the signature is read", () => {
  let site: Awaited<ReturnType<typeof serve>>;
  beforeEach(async () => (site = await serve()));
  afterEach(() => new Promise<void>((resolve) => site.server.close(() => resolve())));

  test("a body within the cap is handed on whole, as the string Probot's middleware reads", async () => {
    const answer = await postChunked(site.port, PATH, ['{"a":', '"é"}']);
    expect(answer).toEqual({ status: 200, body: "handled" });
    expect(site.seen).toEqual([{ path: PATH, body: '{"a":"é"}' }]);
  });

  test("a declared Content-Length over the cap is refused unread; a chunked body is refused as soon as it passes the cap", async () => {
    const declared = await fetch(`http://127.0.0.1:${site.port}${PATH}/`, { method: "POST", body: "x".repeat(LIMIT + 1) });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
    const chunked = await postChunked(
      site.port,
      PATH,
      Array.from({ length: 8 }, () => "y".repeat(LIMIT / 2)),
    );
    expect(chunked.status).toBe(413);
    expect(site.seen).toEqual([]);
  });

  test("other requests pass untouched, their bodies unread", async () => {
    const other = await postChunked(site.port, "/api/repos/o/r/env", ["z".repeat(4 * LIMIT)]);
    expect(other.status).toBe(200);
    expect(site.seen).toEqual([{ path: "/api/repos/o/r/env", body: undefined }]);
  });
});
