import { pageContentSecurityPolicy, setPageSecurityHeaders } from "./page-security.js";
import { createHash } from "node:crypto";
import { Hono } from "hono";
import { compress } from "hono/compress";
import type { AppPublicKey } from "../secrets/app-key.js";
import { SEAL_PAGE_PATH } from "../secrets/sealed-value.js";
import { PUBLIC_KEY_PATH, readLibsodiumForBrowser, SEAL_ASSETS_PATH } from "./seal-page/assets.js";
import { SEAL_PAGE_HTML } from "./seal-page/html.js";
import { readPageScript } from "./page-scripts.js";
import { SEAL_PAGE_ICON, SEAL_PAGE_STYLE } from "./seal-page/style.js";

/**
 * The pages' strict policy, plus `'wasm-unsafe-eval'`: without it the browser refuses to compile
 * libsodium's WebAssembly, and libsodium falls back to a slower JavaScript build after reporting
 * an error. It allows compiling WebAssembly only, not evaluating JavaScript text.
 */
export const SEAL_PAGE_CSP = pageContentSecurityPolicy({ "script-src": "'wasm-unsafe-eval'" });

/** Browsers and proxies may keep the public key this long (seconds). */
export const PUBLIC_KEY_CACHE_SECONDS = 300;

const JAVASCRIPT = "text/javascript; charset=utf-8";

/**
 * `GET /api/public-key` (`{"keyId","key"}`, the key in Base64) and `GET /seal`, the page that seals
 * a secret value in the browser (SPEC 6 and 7). Public: the key is made to be shared, and the page
 * holds nothing but its own code.
 */
export function sealRoutes(appKey: AppPublicKey): Hono {
  const publicKey = { keyId: appKey.keyId, key: Buffer.from(appKey.publicKey).toString("base64") };
  const assets = new Map<string, Asset>([
    ["seal.js", asset(JAVASCRIPT, readPageScript("seal-page.js"))],
    ["seal.css", asset("text/css; charset=utf-8", SEAL_PAGE_STYLE)],
    ["icon.svg", asset("image/svg+xml", SEAL_PAGE_ICON)],
    ...Object.entries(readLibsodiumForBrowser()).map(([file, body]): [string, Asset] => [file, asset(JAVASCRIPT, body)]),
  ]);
  const routes = new Hono();

  routes.get(PUBLIC_KEY_PATH, (c) => {
    c.header("cache-control", `public, max-age=${PUBLIC_KEY_CACHE_SECONDS}`);
    return c.json(publicKey);
  });

  routes.get(SEAL_PAGE_PATH, (c) => {
    setPageSecurityHeaders(c, SEAL_PAGE_CSP);
    c.header("cache-control", "no-cache");
    return c.html(SEAL_PAGE_HTML);
  });

  routes.get(`${SEAL_ASSETS_PATH}:file`, compress(), (c) => {
    const found = assets.get(c.req.param("file"));
    if (!found) return c.notFound();
    c.header("x-content-type-options", "nosniff");
    // Revalidated every time (the ETag makes that cheap), so a new version of the app is never mixed with an old script.
    c.header("cache-control", "no-cache");
    c.header("etag", found.etag);
    if (c.req.header("if-none-match") === found.etag) return c.body(null, 304);
    c.header("content-type", found.type);
    return c.body(found.body);
  });
  return routes;
}

interface Asset {
  type: string;
  body: string;
  etag: string;
}

function asset(type: string, body: string): Asset {
  return { type, body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}
