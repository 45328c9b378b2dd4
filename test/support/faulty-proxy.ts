import { createServer, request, type Server } from "node:http";
import { closeServer, listenOnLoopback, readBody } from "./aws-json-fake.js";

export interface ProxyFailure {
  /** The AWS action (from X-Amz-Target, e.g. `PutItem`) whose calls fail. */
  action: string;
  status: number;
  /** The error's `__type`, e.g. `InternalServerError` or `ThrottlingException`. */
  type: string;
  count: number;
}

/**
 * An AWS JSON endpoint in front of a real one (dynalite) that fails the next N calls of an action
 * as AWS would, or all calls while `down`: fault injection for services the tests run for real.
 */
export class FaultyProxy {
  readonly calls: string[] = [];
  /** Every call is refused with a connection reset while true (the service unreachable). */
  down = false;
  private readonly failures: ProxyFailure[] = [];
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  failNext(action: string, count: number, status = 500, type = "InternalServerError"): void {
    this.failures.push({ action, status, type, count });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const action = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
        this.calls.push(action);
        if (this.down) return req.socket.destroy();
        const failure = this.failures.find((f) => f.action === action && f.count > 0);
        if (failure) {
          failure.count--;
          res.writeHead(failure.status, { "content-type": "application/x-amz-json-1.0" });
          return res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${failure.type}`, message: "injected failure" }));
        }
        const url = new URL(req.url ?? "/", this.target);
        const forwarded = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forwarded.on("error", () => req.socket.destroy());
        forwarded.end(body);
      });
    });
    return listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await closeServer(this.server);
  }
}
