import { decodeLogToken, encodeLogToken, LOG_ANSWER_MAX_BYTES, logQuerySchema, logsAnswer } from "../../src/http/log-query.js";
import { createMasker } from "../../src/variables/masking.js";

describe("nextToken", () => {
  test.each([0, 1, 200, 99_999_999, 123_456_789_012_345])("line %d survives a round trip and looks opaque", (line) => {
    const token = encodeLogToken(line);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toContain(String(line));
    expect(decodeLogToken(token)).toBe(line);
  });

  test.each([
    ["not base64url", "a+b/c="],
    ["another version", Buffer.from("v2:5").toString("base64url")],
    ["no version", Buffer.from("5").toString("base64url")],
    ["negative", Buffer.from("v1:-5").toString("base64url")],
    ["leading zero", Buffer.from("v1:05").toString("base64url")],
    ["a fraction", Buffer.from("v1:1.5").toString("base64url")],
    ["too many digits", Buffer.from(`v1:${"9".repeat(16)}`).toString("base64url")],
    ["trailing text", Buffer.from("v1:5x").toString("base64url")],
    ["empty", ""],
  ])("%s is no token", (_what, token) => {
    expect(decodeLogToken(token)).toBeUndefined();
  });
});

describe("logQuerySchema", () => {
  test.each([
    [{}, { nextToken: 0, limit: 200, format: "raw" }],
    [
      { nextToken: "", limit: "", format: "" },
      { nextToken: 0, limit: 200, format: "raw" },
    ],
    [
      { nextToken: encodeLogToken(42), limit: "1000", format: "plain" },
      { nextToken: 42, limit: 1000, format: "plain" },
    ],
    [{ limit: "1" }, { nextToken: 0, limit: 1, format: "raw" }],
  ])("%j → %j", (query, parsed) => {
    expect(logQuerySchema.parse(query)).toEqual(parsed);
  });
});

describe("logsAnswer", () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ timestamp: i, text: `\u001b[1mline ${i}\u001b[0m` }));

  test.each([
    ["more stored than asked", 3, 4, true, 3, false],
    ["exactly what was asked, at the end of a completed build", 3, 3, true, 3, true],
    ["fewer than asked, completed", 3, 1, true, 1, true],
    ["at the end, still running", 3, 2, false, 2, false],
    ["nothing left, completed", 3, 0, true, 0, true],
  ])("%s", (_what, limit, read, completed, sent, complete) => {
    const answer = logsAnswer({ nextToken: 10, limit, format: "raw" }, lines(read), completed, createMasker());
    expect(answer.logs).toHaveLength(sent);
    expect(answer.nextToken).toBe(encodeLogToken(10 + sent));
    expect(answer.complete).toBe(complete);
  });

  test("every format sends the line as the page shows it, masked after the escapes are removed", () => {
    const split = [{ timestamp: 0, text: "pw hunter2-\u001b[0mS3cret and hunter2-\u0000S3cret" }];
    for (const format of ["raw", "plain"] as const) {
      expect(logsAnswer({ nextToken: 0, limit: 5, format }, lines(1), false, createMasker()).logs).toEqual([{ timestamp: 0, message: "line 0" }]);
      expect(logsAnswer({ nextToken: 0, limit: 5, format }, split, false, createMasker(["hunter2-S3cret"])).logs).toEqual([
        { timestamp: 0, message: "pw *** and ***" },
      ]);
    }
  });

  test("an answer carries at most LOG_ANSWER_MAX_BYTES of text, at least one line, and says more is stored", () => {
    const long = Array.from({ length: 40 }, (_, i) => ({ timestamp: i, text: `${i} ${"x".repeat(60_000)}` }));
    const answer = logsAnswer({ nextToken: 0, limit: 1000, format: "plain" }, long, true, createMasker());
    const bytes = answer.logs.reduce((sum, line) => sum + Buffer.byteLength(line.message), 0);
    expect(bytes).toBeLessThanOrEqual(LOG_ANSWER_MAX_BYTES);
    expect(answer.logs.length).toBe(Math.floor(LOG_ANSWER_MAX_BYTES / 60_003));
    expect(answer.complete).toBe(false);
    expect(answer.nextToken).toBe(encodeLogToken(answer.logs.length));
    const huge = logsAnswer({ nextToken: 0, limit: 10, format: "plain" }, [{ timestamp: 0, text: "y".repeat(2 * LOG_ANSWER_MAX_BYTES) }], true, createMasker());
    expect(huge.logs).toHaveLength(1);
    expect(huge.complete).toBe(true);
  });
});
