import { gunzipSync } from "node:zlib";
import { APP_PATHS, createHttpApp, ownsPath } from "../../src/http/app.js";
import { LOG_PAGE_CSP } from "../../src/http/build-routes.js";
import { PUBLIC_KEY_CACHE_SECONDS, SEAL_PAGE_CSP, sealRoutes } from "../../src/http/seal-routes.js";
import { keyIdOf } from "../../src/secrets/app-key.js";
import { sodium } from "../../src/secrets/sodium.js";
import { SEALED_VALUE_PREFIX } from "../../src/secrets/sealed-value.js";
import { MAX_VALUE_BYTES, VARIABLE_NAME } from "../../src/domain/variable-names.js";
import { builtPageScript, compiledPageSource } from "../support/page-scripts.js";
import { VARIABLE_SCOPES } from "../../src/domain/variables.js";

const { publicKey } = sodium.crypto_box_keypair();
const appKey = { keyId: keyIdOf(publicKey), publicKey };
const routes = sealRoutes(appKey);
const app = createHttpApp({ error: () => undefined }, [routes]);

const ASSETS = ["seal.js", "seal.css", "libsodium-wrappers.mjs", "libsodium.mjs"];

describe("GET /api/public-key", () => {
  test("answers {keyId, key} with the key in Base64", async () => {
    const response = await app.request("/api/public-key");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as { keyId: string; key: string };
    expect(body).toEqual({ keyId: appKey.keyId, key: Buffer.from(publicKey).toString("base64") });
    expect(new Uint8Array(Buffer.from(body.key, "base64"))).toEqual(publicKey);
  });

  test("may be cached for 5 minutes by the routes themselves", async () => {
    const response = await routes.request("/api/public-key");
    expect(PUBLIC_KEY_CACHE_SECONDS).toBe(300);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
  });
});

describe("GET /seal", () => {
  test("serves the page with the strict headers of SPEC 7", async () => {
    const response = await app.request("/seal");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(response.headers.get("content-security-policy")).toBe(SEAL_PAGE_CSP);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("its policy is the log page's, plus compiling WebAssembly (libsodium) and nothing else", () => {
    expect(SEAL_PAGE_CSP.split("; ").sort()).toEqual(
      LOG_PAGE_CSP.split("; ")
        .map((directive) => (directive === "script-src 'self'" ? "script-src 'self' 'wasm-unsafe-eval'" : directive))
        .sort(),
    );
  });

  test("the page needs no inline code and has no form that could submit the value", async () => {
    const html = await (await app.request("/seal")).text();
    expect(html).toContain('<script type="module" src="/seal/assets/seal.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/seal/assets/seal.css">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/<form/i);
    expect(html).toMatch(/<input id="value" type="password" autocomplete="new-password" spellcheck="false">/);
  });

  test("the page gives its script the app's own limits: the page and the server refuse the same keys and sizes", async () => {
    const html = await (await app.request("/seal")).text();
    const main = /<main id="seal-page"([^>]*)>/.exec(html)?.[1] ?? "";
    const data = Object.fromEntries([...main.matchAll(/data-([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(data).toEqual({
      "key-pattern": VARIABLE_NAME.source,
      environments: VARIABLE_SCOPES.join(" "),
      "max-value-bytes": String(MAX_VALUE_BYTES),
      "sealed-prefix": SEALED_VALUE_PREFIX,
      "public-key-url": "/api/public-key",
    });
  });

  test("only /seal itself: /seal/ is not the page", async () => {
    expect((await app.request("/seal/")).status).toBe(404);
  });
});

describe("GET /seal/assets/:file", () => {
  test.each([
    ["seal.js", "text/javascript; charset=utf-8"],
    ["seal.css", "text/css; charset=utf-8"],
    ["libsodium-wrappers.mjs", "text/javascript; charset=utf-8"],
    ["libsodium.mjs", "text/javascript; charset=utf-8"],
  ])("serves %s as %s, revalidated by its ETag", async (file, type) => {
    const response = await app.request(`/seal/assets/${file}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(type);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const etag = response.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect((await response.text()).length).toBeGreaterThan(500);

    const again = await app.request(`/seal/assets/${file}`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  test("seal.js is the file npm run build compiled from src/browser/seal-page.ts", async () => {
    const served = await (await app.request("/seal/assets/seal.js")).text();
    expect(served).toBe(builtPageScript("seal-page.js"));
    expect(served).toBe(compiledPageSource("seal-page.js"));
  });

  test("every module the page's scripts import is served beside them", async () => {
    const imports: string[] = [];
    for (const file of ["seal.js", "libsodium-wrappers.mjs", "libsodium.mjs"]) {
      const source = await (await app.request(`/seal/assets/${file}`)).text();
      imports.push(...[...source.matchAll(/(?:\bimport\s*(?:[\w{}\s,*]+from\s*)?|\bimport\()\s*["']\.\/([^"']+)["']/g)].map((m) => m[1]!));
    }
    expect([...new Set(imports)].sort()).toEqual(["libsodium-wrappers.mjs", "libsodium.mjs"]);
    expect(ASSETS).toEqual(expect.arrayContaining(imports));
  });

  test("libsodium is sent compressed to browsers that accept it", async () => {
    const plain = await (await app.request("/seal/assets/libsodium.mjs")).text();
    const response = await app.request("/seal/assets/libsodium.mjs", { headers: { "accept-encoding": "gzip" } });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const compressed = Buffer.from(await response.arrayBuffer());
    expect(compressed.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(compressed).toString("utf8")).toBe(plain);
  });

  test.each(["other.js", "..%2Fpackage.json", "seal.js.map"])("%s is not served", async (file) => {
    const response = await app.request(`/seal/assets/${file}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

test.each(["/api/public-key", "/seal", "/seal/assets/seal.js", "/seal/assets/libsodium.mjs"])("APP_PATHS send %s to the app's routes", (path) => {
  expect(ownsPath(APP_PATHS, path)).toBe(true);
});
