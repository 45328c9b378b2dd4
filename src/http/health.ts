import type { IncomingMessage, ServerResponse } from "node:http";

/** `GET /healthz`: 200 while the app can serve; 503 when `check` fails. */
export function healthHandler(check: () => Promise<void>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" || new URL(req.url ?? "/", "http://localhost").pathname !== "/healthz") return false;
    try {
      await check();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
    } catch (error) {
      res
        .writeHead(503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: "unavailable", error: { code: "unavailable", message: (error as Error).message } }));
    }
    return true;
  };
}
