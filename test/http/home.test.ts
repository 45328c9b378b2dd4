import { homeRoutes, renderHomePage } from "../../src/http/home.js";

describe("GET /", () => {
  test("says whether the store answers, as /healthz does", async () => {
    const healthy = await homeRoutes(async () => undefined).request("/");
    expect(healthy.status).toBe(200);
    expect(await healthy.text()).toContain("Healthy</span>");
    const down = await homeRoutes(async () => Promise.reject(new Error("socket closed"))).request("/");
    const text = await down.text();
    expect(text).toContain("Unhealthy</span>");
    // The store's error stays in the app's log.
    expect(text).not.toContain("socket closed");
    expect(down.headers.get("cache-control")).toBe("no-store");
  });

  test("holds no script and nothing from elsewhere", () => {
    const page = renderHomePage(true);
    expect(page).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(page.match(/(?:href|src)="([^"]+)"/g)?.every((attribute) => attribute.includes('="/'))).toBe(true);
  });
});
