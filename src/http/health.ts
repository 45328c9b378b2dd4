import { Hono } from "hono";
import { apiError } from "./errors.js";

/** `GET /healthz`: 200 while the store is reachable, else 503 (SPEC 7). */
export function healthRoutes(storeReachable: () => Promise<void>): Hono {
  const routes = new Hono();
  routes.get("/healthz", async (c) => {
    try {
      await storeReachable();
      return c.json({ status: "ok" });
    } catch {
      return apiError(c, 503, "unavailable", "The app's store cannot be reached: check the DynamoDB table and the app's AWS access");
    }
  });
  return routes;
}
