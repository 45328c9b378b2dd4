import { randomUUID } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import { sign } from "./webhooks.js";

/**
 * A webhook relay channel as smee.io serves one (what WEBHOOK_PROXY_URL names): clients follow it as
 * server-sent events, and each webhook GitHub posts to the channel goes to them as one event holding
 * GitHub's headers and the payload, which the client (smee-client, started by Probot) posts to the app.
 */
export class FakeWebhookChannel {
  private server: Server | undefined;
  private readonly followers = new Set<ServerResponse>();
  url = "";

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      if (request.method !== "GET" || new URL(request.url ?? "/", "http://x").pathname !== "/channel") return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      response.write("event: ready\ndata: {}\n\n");
      this.followers.add(response);
      response.on("close", () => this.followers.delete(response));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    this.server = server;
    this.url = `http://127.0.0.1:${port}/channel`;
    return this.url;
  }

  /** How many clients follow the channel. */
  get followed(): number {
    return this.followers.size;
  }

  /** What GitHub does: a webhook signed with `secret`, sent to every follower. */
  deliver(secret: string, event: string, payload: unknown, deliveryId: string = randomUUID()): void {
    const body = JSON.stringify(payload);
    const message = {
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": sign(secret, body),
      "user-agent": "GitHub-Hookshot/test",
      body: payload,
      timestamp: Date.now(),
    };
    for (const follower of this.followers) follower.write(`data: ${JSON.stringify(message)}\n\n`);
  }

  async stop(): Promise<void> {
    for (const follower of this.followers) follower.end();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
