import type { IncomingMessage } from "node:http";
import { refuse } from "../../test/support/aws-json-fake.js";
import { THROTTLED } from "../../test/support/fake-cloudwatch-logs.js";
import { AwsJsonProxy, type ProxiedRequest } from "./aws-proxy.js";
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
export class LogReadQuota extends AwsJsonProxy {
  readonly reads: LogRead[] = [];
  throttled = 0;
  private readonly quota: RollingLimit;

  constructor(upstream: string, secondMs = 1000) {
    super(upstream);
    this.quota = new RollingLimit(AWS_LOG_READS_PER_SECOND, secondMs);
  }

  protected async answer(req: IncomingMessage, { action, body }: ProxiedRequest): Promise<{ status: number; body: string }> {
    const isRead = action === "GetLogEvents";
    if (isRead && !this.quota.admit(Date.now())) {
      this.throttled++;
      const refusal = refuse(THROTTLED.type, THROTTLED.message, THROTTLED.status);
      return { status: refusal.status, body: JSON.stringify(refusal.body) };
    }
    const answer = await this.forward(req, body);
    if (isRead && answer.status < 300) this.reads.push({ at: Date.now(), stream: String((JSON.parse(body) as { logStreamName?: unknown }).logStreamName) });
    return answer;
  }
}
