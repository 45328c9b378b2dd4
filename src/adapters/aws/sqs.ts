import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** SQS holds a message back at most 15 minutes (SendMessage's DelaySeconds, SQS API reference). */
export const SQS_MAX_DELAY_SECONDS = 900;

/** One queue the app sends to: the processor's intake queue, or the delayed refresh queue. */
export class SqsQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly url: string,
  ) {}

  async send(body: unknown, delaySeconds = 0): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.url,
        MessageBody: JSON.stringify(body),
        DelaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
      }),
    );
  }
}
