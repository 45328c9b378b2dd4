import { PassThrough } from "node:stream";
import { createLogger, serializeErrorWithoutEvent } from "../src/log.js";
import { LogMasking } from "../src/log-masking.js";
import { createMasker } from "../src/variables/masking.js";

describe("the error serializer", () => {
  test("drops the webhook event @octokit/webhooks attaches to handler errors, also inside aggregates", () => {
    const payload = { repository: { full_name: "acme/web" }, secret_looking: "ghp_abc" };
    const inner = Object.assign(new Error("handler failed"), { event: { id: "d1", name: "push", payload } });
    const aggregate = Object.assign(new AggregateError([inner], "handler failed"), { event: inner.event });
    for (const error of [inner, aggregate]) {
      const text = JSON.stringify(serializeErrorWithoutEvent(error));
      expect(text).toContain("handler failed");
      expect(text).not.toContain("acme/web");
      expect(text).not.toContain("ghp_abc");
    }
  });

  test("keeps what helps: type, message, stack and own fields", () => {
    const error = Object.assign(new TypeError("bad"), { status: 502 });
    expect(serializeErrorWithoutEvent(error)).toMatchObject({ type: "TypeError", message: "bad", status: 502, stack: expect.any(String) });
  });
});

describe("the app's log lines are masked as they leave", () => {
  async function loggerWith(masking: LogMasking) {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on("data", (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
    const log = await createLogger({ LOG_FORMAT: "json", LOG_LEVEL: "info" }, masking, out);
    const flushed = () => new Promise((resolve) => setImmediate(resolve));
    return { log, lines, flushed };
  }

  test("a secret the process read is hidden in messages, fields and errors, as written and JSON-escaped", async () => {
    const masking = new LogMasking();
    masking.hide('tok "quoted" 12345');
    const { log, lines, flushed } = await loggerWith(masking);
    log.warn({ err: new Error('failed with tok "quoted" 12345'), header: 'tok "quoted" 12345' }, 'saw tok "quoted" 12345');
    await flushed();
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("12345");
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "saw ***", header: "***" });
  });

  test("a build's own ::add-mask:: values hide words only in the lines about that build, while it is followed", async () => {
    const masking = new LogMasking();
    masking.follow("build-a", createMasker(["own-value-a"]));
    const { log, lines, flushed } = await loggerWith(masking);
    log.info({ deploymentId: "build-a" }, "read own-value-a");
    log.info({ deploymentId: "build-b" }, "read own-value-a");
    masking.forget("build-a");
    log.info({ deploymentId: "build-a" }, "read own-value-a");
    await flushed();
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(["read ***", "read own-value-a", "read own-value-a"]);
  });
});
