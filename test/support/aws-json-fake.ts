import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The content type of AWS's JSON 1.1 protocol, which CodeBuild, CloudWatch Logs and Secrets Manager speak. */
export const AWS_JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

export type AwsJsonInput = Record<string, unknown>;
export type AwsJsonAnswer = { status: number; body: unknown };
export type AwsJsonHandler = (input: AwsJsonInput) => AwsJsonAnswer;

/** An error a test makes the fake answer in place of an action's default behaviour. */
export interface FakeFailure {
  status: number;
  type: string;
  message: string;
}

export function ok(body: unknown): AwsJsonAnswer {
  return { status: 200, body };
}

/** JSON 1.1's error shape (the SDK reads `message` or `Message` alike). */
export function refuse(type: string, message: string, status = 400): AwsJsonAnswer {
  return { status, body: { __type: type, message } };
}

/**
 * What the local AWS fakes share: a server on 127.0.0.1 that takes the action from X-Amz-Target
 * (`<Prefix>.<Action>`), records each request, answers a failure queued in `failNext` before the
 * action's handler, and replies in JSON 1.1, so the app reaches it through its endpoint variable
 * exactly as it reaches AWS. A fake names its operations in `handlers`.
 */
export abstract class AwsJsonFake {
  readonly requests: { action: string; input: AwsJsonInput }[] = [];
  /** Answers for the next calls of an action, before the default behaviour. */
  readonly failNext = new Map<string, FakeFailure[]>();
  protected abstract readonly handlers: Record<string, AwsJsonHandler>;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const action = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
        const input = raw ? (JSON.parse(raw) as AwsJsonInput) : {};
        this.requests.push({ action, input });
        const { status, body } = this.answer(action, input);
        res.writeHead(status, { "content-type": AWS_JSON_CONTENT_TYPE }).end(JSON.stringify(body));
      });
    });
    return listenOnLoopback(this.server);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  calls(action: string): AwsJsonInput[] {
    return this.requests.filter((r) => r.action === action).map((r) => r.input);
  }

  private answer(action: string, input: AwsJsonInput): AwsJsonAnswer {
    const failure = this.failNext.get(action)?.shift();
    if (failure) return refuse(failure.type, failure.message, failure.status);
    const handler = this.handlers[action];
    return handler ? handler(input) : refuse("UnknownOperationException", `${action} is not an operation of this fake`);
  }
}

/** Listens on a free port of 127.0.0.1; the server's base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: Server | undefined): Promise<void> {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
