import type { Context } from "hono";

/** SPEC 7's strict policy for the app's pages: no inline code, nothing from elsewhere, no framing. */
const PAGE_POLICY = {
  "default-src": "'none'",
  "script-src": "'self'",
  "style-src": "'self'",
  "img-src": "'self'",
  "connect-src": "'self'",
  "base-uri": "'none'",
  "form-action": "'self'",
  "frame-ancestors": "'none'",
} as const;

/** The pages' Content-Security-Policy, with extra sources for a directive where one page needs them. */
export function pageContentSecurityPolicy(extra: Partial<Record<keyof typeof PAGE_POLICY, string>> = {}): string {
  return Object.entries(PAGE_POLICY)
    .map(
      ([directive, sources]) =>
        `${directive} ${sources}${extra[directive as keyof typeof PAGE_POLICY] ? ` ${extra[directive as keyof typeof PAGE_POLICY]}` : ""}`,
    )
    .join("; ");
}

/** The headers every page and page asset carries (SPEC 7). */
export function setPageSecurityHeaders(c: Context, contentSecurityPolicy: string): void {
  c.header("content-security-policy", contentSecurityPolicy);
  c.header("referrer-policy", "no-referrer");
  c.header("x-content-type-options", "nosniff");
}
