import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The codes of the API's error bodies, one per thing a client can do about it. */
export type ApiErrorCode =
  | "unauthenticated"
  | "invalid_token"
  | "not_found"
  | "forbidden"
  | "invalid_request"
  | "body_too_large"
  | "oauth_not_configured"
  | "internal_error"
  | "unavailable";

/** One problem with a request, as zod reports it: `path` names the field (`["envVars", 2, "key"]`). */
export interface ApiIssue {
  code: string;
  path: PropertyKey[];
  message: string;
}

/** SPEC 7: every error is `{"error":{"code","message","issues"?}}`. */
export function apiError(c: Context, status: ContentfulStatusCode, code: ApiErrorCode, message: string, issues?: readonly ApiIssue[]): Response {
  return c.json({ error: { code, message, ...(issues && { issues }) } }, status);
}
