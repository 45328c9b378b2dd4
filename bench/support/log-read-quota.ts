import { createServer, type IncomingMessage, type Server } from "node:http";
import { AWS_JSON_CONTENT_TYPE, closeServer, listenOnLoopback, readBody, refuse } from "../../test/support/aws-json-fake.js";
import { THROTTLED } from "../../test/support/fake-cloudwatch-logs.js";
import { RollingLimit } from "./rolling-limit.js";

/**
 * AWS's quota on GetLogEvents: 10 requests per second per account and region (CloudWatch Logs
 * quotas: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
 */
export const AWS_LOG_READS_PER_SECOND = 10;

/** A GetLogEvents call that went through: when it was answered, and for which stream. */
export interface LogRead {
  at: number;
  stream: string;
}

/**
 * CloudWatch Logs' account quota in front of the fake: a proxy that answers ThrottlingException
 * past AWS_LOG_READS_PER_SECOND per second (per `secondMs`, which a time-scaled run shortens), and
 * records every read that went through.
 */
export class LogReadQuota {
  readonly reads: LogRead[] = [];
  throttled = 0;
  private readonly quota: RollingLimit;
  private server: Server | undefined;

  constructor(
    private readonly upstream: string,
    secondMs = 1000,
  ) {
    this.quota = new RollingLimit(AWS_LOG_READS_PER_SECOND, secondMs);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.answer(req).then(
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

  private async answer(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const isRead = target.endsWith(".GetLogEvents");
    if (isRead && !this.quota.admit(Date.now())) {
      this.throttled++;
      const refusal = refuse(THROTTLED.type, THROTTLED.message, THROTTLED.status);
      return { status: refusal.status, body: JSON.stringify(refusal.body) };
    }
    const response = await fetch(`${this.upstream}${req.url ?? "/"}`, {
      method: req.method,
      headers: { "x-amz-target": target, "content-type": String(req.headers["content-type"] ?? AWS_JSON_CONTENT_TYPE) },
      body,
    });
    const answer = { status: response.status, body: await response.text() };
    if (isRead && response.ok) this.reads.push({ at: Date.now(), stream: String((JSON.parse(body) as { logStreamName?: unknown }).logStreamName) });
    return answer;
  }
}
