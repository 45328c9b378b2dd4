import { Hono } from "hono";
import { APP_PATHS, createHttpApp, httpHandler, MAX_BODY_BYTES, ownsPath } from "../../src/http/app.js";
import { serveHandler, type ServedHandler } from "../support/serve-handler.js";

describe("ownsPath", () => {
  test.each([
    ["/api/repos/octo/app/env", true],
    ["/api/repos/", true],
    ["/api/repos", false],
    ["/api/github/webhooks", false],
    ["/", true],
    ["/probot", false],
    ["/probot/static/robot.svg", false],
    ["/favicon.ico", false],
  ])("APP_PATHS own %s: %s", (path, owned) => {
    expect(ownsPath(APP_PATHS, path)).toBe(owned);
  });

  test.each([
    ["/healthz", true],
    ["/healthz/x", false],
    ["/builds/42", true],
    ["/builds", false],
  ])("exact paths and subtrees: %s → %s", (path, owned) => {
    expect(ownsPath(["/healthz", "/builds/"], path)).toBe(owned);
  });
});

describe("httpHandler over createHttpApp", () => {
  let served: ServedHandler;
  let url: string;
  const logged: unknown[] = [];

  beforeAll(async () => {
    const routes = new Hono();
    routes.get("/api/repos/ok", (c) => c.json({ ok: true }));
    routes.post("/api/repos/echo-size", async (c) => c.json({ bytes: (await c.req.text()).length }));
    routes.post("/api/repos/fail", async (c) => {
      await c.req.text();
      throw new Error("store unreachable");
    });
    served = await serveHandler(httpHandler(createHttpApp({ error: (...args: unknown[]) => void logged.push(args) }, [routes])));
    url = served.url;
  });

  afterAll(() => served.close());

  test("answers the paths it owns", async () => {
    const response = await fetch(`${url}/api/repos/ok`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  test("declines the others, which Probot then serves", async () => {
    const response = await fetch(`${url}/api/github/webhooks`, { method: "POST", body: "{}" });
    expect(await response.text()).toBe("declined");
  });

  test("an unknown route under its paths is a JSON 404", async () => {
    const response = await fetch(`${url}/api/repos/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: expect.stringContaining("GET /api/repos/nothing") } });
  });

  test("bodies up to 1 MiB are read, larger ones are a 413", async () => {
    const fits = await fetch(`${url}/api/repos/echo-size`, { method: "POST", body: "x".repeat(MAX_BODY_BYTES) });
    expect(await fits.json()).toEqual({ bytes: MAX_BODY_BYTES });
    const tooLarge = await fetch(`${url}/api/repos/echo-size`, { method: "POST", body: "x".repeat(MAX_BODY_BYTES + 1) });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({ error: { code: "body_too_large", message: expect.stringContaining("1 MiB") } });
  });

  test("an unexpected error is a generic 500, logged with method and path but not the body", async () => {
    logged.length = 0;
    const response = await fetch(`${url}/api/repos/fail`, { method: "POST", body: '{"value":"s3cr3t-in-body"}' });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: { code: "internal_error", message: expect.any(String) } });
    expect(body).not.toContain("store unreachable");
    expect(logged).toEqual([
      [
        expect.objectContaining({ err: expect.objectContaining({ message: "store unreachable" }), method: "POST", path: "/api/repos/fail" }),
        "HTTP request failed",
      ],
    ]);
    expect(JSON.stringify(logged)).not.toContain("s3cr3t-in-body");
  });
});
