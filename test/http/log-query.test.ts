import { decodeLogToken, encodeLogToken, logQuerySchema, logsAnswer } from "../../src/http/log-query.js";

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
    [{ nextToken: "", limit: "", format: "" }, { nextToken: 0, limit: 200, format: "raw" }],
    [{ nextToken: encodeLogToken(42), limit: "1000", format: "plain" }, { nextToken: 42, limit: 1000, format: "plain" }],
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
    const answer = logsAnswer({ nextToken: 10, limit, format: "raw" }, lines(read), completed);
    expect(answer.logs).toHaveLength(sent);
    expect(answer.nextToken).toBe(encodeLogToken(10 + sent));
    expect(answer.complete).toBe(complete);
  });

  test("raw sends the line as stored, plain as the page shows it", () => {
    expect(logsAnswer({ nextToken: 0, limit: 5, format: "raw" }, lines(1), false).logs).toEqual([{ timestamp: 0, message: "\u001b[1mline 0\u001b[0m" }]);
    expect(logsAnswer({ nextToken: 0, limit: 5, format: "plain" }, lines(1), false).logs).toEqual([{ timestamp: 0, message: "line 0" }]);
  });
});
