import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakePhase {
  phaseType: string;
  phaseStatus?: string;
  startTime?: number;
  endTime?: number;
  durationInSeconds?: number;
  contexts?: { statusCode?: string; message?: string }[];
}

export interface FakeBuild {
  id: string;
  arn: string;
  buildStatus: string;
  currentPhase: string;
  startTime: number;
  endTime?: number;
  projectName: string;
  phases: FakePhase[];
  logs?: { groupName?: string; streamName?: string; deepLink?: string; cloudWatchLogs?: { status: string }; s3Logs?: { status: string } };
}

type Handler = (input: Record<string, unknown>) => { status: number; body: unknown };

/**
 * A small CodeBuild on 127.0.0.1 speaking the service's JSON 1.1 protocol, so the
 * app reaches it through AWS_ENDPOINT_URL_CODEBUILD exactly as it reaches AWS.
 */
export class FakeCodeBuild {
  readonly builds = new Map<string, FakeBuild>();
  readonly requests: { action: string; input: Record<string, unknown> }[] = [];
  /** Answers for the next calls of an action, before the default behaviour. */
  readonly failNext = new Map<string, { status: number; type: string; message: string }[]>();
  /** Where new builds say their CloudWatch log is: `logs` in BatchGetBuilds, as CodeBuild reports it. */
  logGroup: string | undefined;
  private server: Server | undefined;
  private counter = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const action = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
        const input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        this.requests.push({ action, input });
        const { status, body } = this.answer(action, input);
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  calls(action: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.action === action).map((r) => r.input);
  }

  /** Moves a build on, as CodeBuild would. */
  update(id: string, change: Partial<FakeBuild>): void {
    const build = this.builds.get(id);
    if (!build) throw new Error(`no fake build ${id}`);
    Object.assign(build, change);
  }

  private answer(action: string, input: Record<string, unknown>): { status: number; body: unknown } {
    const failure = this.failNext.get(action)?.shift();
    if (failure) return { status: failure.status, body: { __type: failure.type, message: failure.message } };
    const handler = this.handlers[action];
    return handler ? handler(input) : { status: 400, body: { __type: "UnknownOperationException", message: action } };
  }

  private readonly handlers: Record<string, Handler> = {
    StartBuild: (input) => {
      const projectName = String(input.projectName);
      const id = `${projectName}:build-${++this.counter}`;
      const build: FakeBuild = {
        id,
        arn: `arn:aws:codebuild:us-east-1:123456789012:build/${id}`,
        buildStatus: "IN_PROGRESS",
        currentPhase: "SUBMITTED",
        startTime: Date.now() / 1000,
        projectName,
        phases: [{ phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: Date.now() / 1000 }],
        ...(this.logGroup && { logs: { groupName: this.logGroup, streamName: id.split(":")[1], cloudWatchLogs: { status: "ENABLED" } } }),
      };
      this.builds.set(id, build);
      return { status: 200, body: { build } };
    },
    BatchGetBuilds: (input) => {
      const ids = input.ids as string[];
      if (ids.length > 100) return { status: 400, body: { __type: "InvalidInputException", message: "at most 100 ids" } };
      const builds = ids.flatMap((id) => (this.builds.has(id) ? [this.builds.get(id)] : []));
      return { status: 200, body: { builds, buildsNotFound: ids.filter((id) => !this.builds.has(id)) } };
    },
    StopBuild: (input) => {
      const build = this.builds.get(String(input.id));
      if (!build) return { status: 400, body: { __type: "ResourceNotFoundException", message: "no such build" } };
      Object.assign(build, { buildStatus: "STOPPED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });
      return { status: 200, body: { build } };
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
