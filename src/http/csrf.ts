import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The token a page's forms carry, tied to the visitor's session cookie: a form made for one
 * session (or forged elsewhere) is refused in any other. SameSite=Lax cookies already keep
 * cross-site POSTs out of modern browsers; this also covers older ones and same-site attackers.
 */
export function csrfToken(secret: string, sessionCookie: string): string {
  return createHmac("sha256", csrfKey(secret)).update(sessionCookie).digest("base64url");
}

/** Compares in constant time; false without a session or a token. */
export function isValidCsrfToken(secret: string, sessionCookie: string | undefined, token: string | undefined): boolean {
  if (sessionCookie === undefined || token === undefined) return false;
  const expected = Buffer.from(csrfToken(secret, sessionCookie));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A key of its own, so a token never equals any other MAC made with SESSION_SECRET. */
function csrfKey(secret: string): Buffer {
  return createHmac("sha256", secret).update("log-page forms").digest();
}
