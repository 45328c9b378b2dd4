import { createHash, randomUUID } from "node:crypto";
import { AwsJsonFake, ok, refuse, type AwsJsonHandler } from "./aws-json-fake.js";

export interface FakeMessage {
  queueUrl: string;
  messageId: string;
  body: string;
  delaySeconds: number;
}

/**
 * A small SQS on 127.0.0.1 speaking the service's JSON protocol (X-Amz-Target `AmazonSQS.<Action>`),
 * so the app reaches it through AWS_ENDPOINT_URL_SQS. It keeps what was sent; a test hands the
 * messages to the processor as Lambda's SQS event.
 */
export class FakeSqs extends AwsJsonFake {
  readonly sent: FakeMessage[] = [];

  /** Messages of one queue, taken off it (as Lambda's event source polls them). */
  take(queueUrl: string): FakeMessage[] {
    const taken = this.sent.filter((m) => m.queueUrl === queueUrl);
    for (const message of taken) this.sent.splice(this.sent.indexOf(message), 1);
    return taken;
  }

  protected readonly handlers: Record<string, AwsJsonHandler> = {
    SendMessage: (input) => {
      const delaySeconds = Number(input.DelaySeconds ?? 0);
      if (delaySeconds < 0 || delaySeconds > 900) return refuse("InvalidParameterValue", "DelaySeconds must be between 0 and 900");
      const body = String(input.MessageBody);
      const message: FakeMessage = { queueUrl: String(input.QueueUrl), messageId: randomUUID(), body, delaySeconds };
      this.sent.push(message);
      // The SDK checks the MD5 of the body it sent against this.
      return ok({ MessageId: message.messageId, MD5OfMessageBody: createHash("md5").update(body).digest("hex") });
    },
  };
}

/** Lambda's SQS event for these messages, as AWS documents it ("Using Lambda with Amazon SQS"). */
export function sqsEvent(messages: FakeMessage[], queueArn = "arn:aws:sqs:us-east-1:123456789012:codebuild-checks-intake") {
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: `AQEB${m.messageId}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(Date.now()),
        SenderId: "AIDAIENQZJOLO23YVJ4VO",
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash("md5").update(m.body).digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: "us-east-1",
    })),
  };
}
