import { serializeErrorWithoutEvent } from "../src/log.js";

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
