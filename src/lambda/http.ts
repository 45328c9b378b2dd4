import type { Hono } from "hono";
import type { Probot } from "probot";
import type { HttpEvent, HttpResult } from "./events.js";

/** A function URL's request as a web Request, for the app's routes. */
export function toRequest(event: HttpEvent): Request {
  const headers = new Headers(event.headers);
  if (event.cookies?.length) headers.set("cookie", event.cookies.join("; "));
  const host = event.requestContext.domainName ?? headers.get("host") ?? "localhost";
  const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
  const method = event.requestContext.http.method.toUpperCase();
  const body =
    event.body === undefined || method === "GET" || method === "HEAD" ? undefined : Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
  return new Request(`https://${host}${event.rawPath}${query}`, { method, headers, ...(body && { body }) });
}

/** A web Response as a function URL's result; cookies go apart, as the payload format wants them. */
export async function toResult(response: Response): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = /^(text\/|application\/(json|javascript|xml)|image\/svg)/.test(headers["content-type"] ?? "text/plain");
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 && { cookies }),
    body: bytes.toString(text ? "utf8" : "base64"),
    isBase64Encoded: !text,
  };
}

function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body), isBase64Encoded: false };
}

/**
 * A webhook delivery: verified and received as Probot's own server would (the handlers record the
 * intent and answer). A bad signature or body is a 400; a handler that failed (the intent could not
 * be recorded) a 500, so GitHub marks the delivery failed and redelivery picks it up.
 */
export async function receiveWebhook(probot: Probot, event: HttpEvent): Promise<HttpResult> {
  const header = (name: string) => event.headers[name] ?? event.headers[name.toLowerCase()];
  const id = header("x-github-delivery");
  const name = header("x-github-event");
  const signature = header("x-hub-signature-256");
  if (!id || !name || !signature)
    return json(400, { error: { code: "bad_request", message: "Missing X-GitHub-Delivery, X-GitHub-Event or X-Hub-Signature-256" } });
  const payload = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8").toString("utf8");
  try {
    await probot.webhooks.verifyAndReceive({ id, name: name as never, payload, signature });
    return json(200, { ok: true });
  } catch (error) {
    const status = statusOf(error);
    return status === 400
      ? json(400, { error: { code: "bad_request", message: "The signature does not match the payload and the webhook secret, or the payload is not JSON" } })
      : json(500, { error: { code: "not_recorded", message: "The event could not be recorded; GitHub may redeliver it" } });
  }
}

function statusOf(error: unknown): number | undefined {
  const direct = (error as { status?: number }).status;
  if (direct !== undefined) return direct;
  const inner = (error as { errors?: { status?: number }[] }).errors;
  return inner?.every((e) => e.status === 400) && inner.length > 0 ? 400 : undefined;
}

/** Any other route: served by the app's HTTP routes (section 7), as on the server. */
export async function serveRoute(http: Hono, event: HttpEvent): Promise<HttpResult> {
  return toResult(await http.fetch(toRequest(event)));
}
