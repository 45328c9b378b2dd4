import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { apiError } from "./errors.js";

/** No API call needs more: a full variable set is at most 256 KiB of values (SPEC 3). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Paths the app's own HTTP routes answer; a prefix ending in `/` owns everything below it (the
 * root, `/`, owns only itself). Everything else goes on to Probot (the webhook route, its 404).
 */
export const APP_PATHS: readonly string[] = [
  "/",
  "/api/repos/",
  "/api/projects/",
  "/api/builds/",
  "/api/deployments/",
  "/builds/",
  "/healthz",
  "/metrics",
  "/login",
  "/login/callback",
  "/logout",
  "/api/public-key",
  "/seal",
  "/seal/assets/",
];

/**
 * The app's HTTP routes in one Hono app: bodies limited, unknown paths and unexpected errors
 * answered as SPEC 7's JSON errors. Unexpected errors are logged with the method and path,
 * never the request body (it may carry secret values).
 */
export function createHttpApp(log: Pick<Logger, "error">, routes: readonly Hono[]): Hono {
  const app = new Hono();
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => apiError(c, 413, "body_too_large", `The request body is over ${MAX_BODY_BYTES} bytes (1 MiB): send less`),
    }),
  );
  app.use("/api/*", async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  });
  for (const route of routes) app.route("/", route);
  app.notFound((c) =>
    apiError(
      c,
      404,
      "not_found",
      `There is no ${c.req.method} ${new URL(c.req.url).pathname}: the API's routes are in the app's docs/variables-and-secrets.md and docs/log-page-and-api.md`,
    ),
  );
  app.onError((error, c) => {
    log.error({ err: error, method: c.req.method, path: new URL(c.req.url).pathname }, "HTTP request failed");
    return apiError(c, 500, "internal_error", "Something went wrong on the server; it has been logged. Try again, and tell the app's operator if it persists");
  });
  return app;
}

/** True when `pathname` belongs to one of `paths` (see APP_PATHS). */
export function ownsPath(paths: readonly string[], pathname: string): boolean {
  return paths.some((p) => (p !== "/" && p.endsWith("/") ? pathname.startsWith(p) : pathname === p));
}

/** Adapts the Hono app to a Probot handler: answers (true) only the paths it owns. */
export function httpHandler(hono: Hono, paths: readonly string[] = APP_PATHS) {
  const listener = getRequestListener(hono.fetch);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!ownsPath(paths, pathname)) return false;
    await listener(req, res);
    return true;
  };
}
