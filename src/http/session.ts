import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { GitHubUser } from "./github-user.js";

/** How long a sign-in lasts: a working day, as long as GitHub's own user tokens. */
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

/** How long a visitor has to approve the app on GitHub before the sign-in must start again. */
export const SIGN_IN_ATTEMPT_LIFETIME_MS = 10 * 60 * 1000;

export const SESSION_COOKIE = "codebuild_checks_session";
export const SIGN_IN_COOKIE = "codebuild_checks_sign_in";

/** Where the sign-in cookie travels: `/login` and `/login/callback` only. */
export const SIGN_IN_PATH = "/login";

/** Longest `return_to` kept, so the sign-in cookie stays far below browsers' 4 KiB per cookie. */
const MAX_RETURN_PATH_LENGTH = 2048;

/**
 * A same-site path to send a visitor back to after signing in; anything else (another origin,
 * `//host`, `/\host`, a scheme, nothing) becomes `/`, so the sign-in cannot redirect elsewhere.
 * The path is checked as the browser will read it, after normalisation: `/..//host` and `/.//host`
 * normalise to `//host`, which a browser takes for another site.
 */
export function safeReturnPath(raw: string | undefined): string {
  const base = "http://return-to.invalid";
  if (!raw?.startsWith("/") || raw.length > MAX_RETURN_PATH_LENGTH) return "/";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return "/";
  }
  // The URL parser drops tabs and newlines and reads `\` as `/`, exactly as browsers do.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === base && isSameOriginPath(path) ? path : "/";
}

/** A path a browser resolves against the current origin: one `/` first, never `//` or `/\`. */
function isSameOriginPath(path: string): boolean {
  return path.startsWith("/") && path[1] !== "/" && path[1] !== "\\";
}

/** A sign-in started by `/login`, waiting for GitHub to send the visitor back. */
export interface SignInAttempt {
  state: string;
  returnTo: string;
}

const sessionSchema = z.object({ login: z.string().min(1), id: z.number().int().positive(), exp: z.number() });
const attemptSchema = z.object({ state: z.string().min(1), returnTo: z.string(), exp: z.number() });

/**
 * The cookies of the log pages' sign-in, signed with HMAC-SHA256 over the cookie's name and value
 * (so one cookie's value is never valid as another's) and carrying their own expiry, which the
 * server checks whatever the browser keeps. A session holds who signed in, never a GitHub token:
 * permissions are asked through the installation, so a stolen cookie gives no GitHub access.
 */
export class Sessions {
  private readonly secure: boolean;

  constructor(
    private readonly secret: string,
    publicUrl: string,
    private readonly now: () => number = Date.now,
  ) {
    this.secure = new URL(publicUrl).protocol === "https:";
  }

  /** The signed-in GitHub user, or undefined without a valid, unexpired session. */
  user(c: Context): GitHubUser | undefined {
    const session = sessionSchema.safeParse(this.open(SESSION_COOKIE, getCookie(c, SESSION_COOKIE)));
    return session.success ? { login: session.data.login, id: session.data.id } : undefined;
  }

  start(c: Context, user: GitHubUser): void {
    const value = this.seal(SESSION_COOKIE, { login: user.login, id: user.id }, SESSION_LIFETIME_MS);
    setCookie(c, SESSION_COOKIE, value, this.cookieOptions("/", SESSION_LIFETIME_MS));
  }

  end(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, this.cookieOptions("/"));
  }

  /** Remembers a new attempt in the browser; returns the `state` GitHub must send back. */
  beginSignIn(c: Context, returnTo: string): string {
    const attempt: SignInAttempt = { state: randomBytes(32).toString("base64url"), returnTo };
    setCookie(
      c,
      SIGN_IN_COOKIE,
      this.seal(SIGN_IN_COOKIE, attempt, SIGN_IN_ATTEMPT_LIFETIME_MS),
      this.cookieOptions(SIGN_IN_PATH, SIGN_IN_ATTEMPT_LIFETIME_MS),
    );
    return attempt.state;
  }

  /**
   * The attempt GitHub's `state` belongs to, used up; undefined when this browser started none,
   * it expired, or the state differs (a forged or crossed callback).
   */
  finishSignIn(c: Context, state: string | undefined): SignInAttempt | undefined {
    const attempt = attemptSchema.safeParse(this.open(SIGN_IN_COOKIE, getCookie(c, SIGN_IN_COOKIE)));
    // A wrong state leaves the attempt be: a forged callback must not spoil the visitor's real one.
    if (!attempt.success || state === undefined || !equalStrings(state, attempt.data.state)) return undefined;
    deleteCookie(c, SIGN_IN_COOKIE, this.cookieOptions(SIGN_IN_PATH));
    return { state: attempt.data.state, returnTo: attempt.data.returnTo };
  }

  private cookieOptions(path: string, lifetimeMs?: number) {
    return {
      path,
      httpOnly: true,
      sameSite: "Lax",
      secure: this.secure,
      ...(lifetimeMs !== undefined && { maxAge: Math.floor(lifetimeMs / 1000) }),
    } as const;
  }

  private seal(name: string, value: object, lifetimeMs: number): string {
    const payload = Buffer.from(JSON.stringify({ ...value, exp: this.now() + lifetimeMs })).toString("base64url");
    return `${payload}.${this.mac(name, payload)}`;
  }

  /** The sealed value, or undefined when it is missing, not signed by this secret, or expired. */
  private open(name: string, sealed: string | undefined): unknown {
    const [payload, mac, ...rest] = sealed?.split(".") ?? [];
    if (payload === undefined || mac === undefined || rest.length > 0 || !equalStrings(mac, this.mac(name, payload))) return undefined;
    // Signed by this secret, so it is JSON this class wrote.
    const value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof value.exp === "number" && value.exp > this.now() ? value : undefined;
  }

  private mac(name: string, payload: string): string {
    return createHmac("sha256", this.secret).update(`${name}=${payload}`).digest("base64url");
  }
}

/** Compares in constant time, so timing reveals nothing about a MAC or a state. */
function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
