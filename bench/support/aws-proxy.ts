import { createServer, type IncomingMessage, type Server } from "node:http";
import { AWS_JSON_CONTENT_TYPE, closeServer, listenOnLoopback, readBody } from "../../test/support/aws-json-fake.js";

/** Headers of one hop only; every other header (the request's signature too) goes on upstream. */
const HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

/** An AWS JSON request as a proxy received it. */
export interface ProxiedRequest {
  /** The action, from X-Amz-Target (`GetLogEvents`, `PutItem`). */
  action: string;
  body: string;
}

/** An AWS JSON endpoint in front of another, that a benchmark uses to limit or count the app's calls. */
export abstract class AwsJsonProxy {
  private server: Server | undefined;

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req)
        .then((body) => this.answer(req, { action: String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "", body }))
        .then(
          ({ status, body }) => res.writeHead(status, { "content-type": AWS_JSON_CONTENT_TYPE }).end(body),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
    });
    return listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await closeServer(this.server);
  }

  /** The answer to one request: forwarded, or not. */
  protected abstract answer(req: IncomingMessage, request: ProxiedRequest): Promise<{ status: number; body: string }>;

  /** Sends the request on upstream and returns its answer. */
  protected async forward(req: IncomingMessage, body: string): Promise<{ status: number; body: string }> {
    const headers = Object.entries(req.headers).flatMap(([name, value]) =>
      HOP_HEADERS.has(name) || value === undefined ? [] : [[name, String(value)] as [string, string]],
    );
    const response = await fetch(`${this.upstream}${req.url ?? "/"}`, { method: req.method, headers, body });
    return { status: response.status, body: await response.text() };
  }
}
