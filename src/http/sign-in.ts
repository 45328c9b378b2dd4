import { Hono, type Context, type MiddlewareHandler } from "hono";
import { html } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import type { Settings } from "../settings.js";
import { apiError } from "./errors.js";
import { GitHubOAuth } from "./github-oauth.js";
import type { GitHubUser } from "./github-user.js";
import { safeReturnPath, SIGN_IN_PATH, type Sessions } from "./session.js";

/** Where GitHub sends a visitor back after they approve the app: the GitHub App's Callback URL is PUBLIC_URL + this. */
export const CALLBACK_PATH = `${SIGN_IN_PATH}/callback`;

export const LOGOUT_PATH = "/logout";

export interface SignInOptions {
  settings: Pick<Settings, "oauth" | "githubWebUrl" | "githubApiUrl" | "publicUrl">;
  sessions: Sessions;
  log: Pick<Logger, "warn">;
}

/**
 * Sign-in with GitHub for the log pages (SPEC 7): `GET /login?return_to=` sends the visitor to
 * GitHub, `GET /login/callback` makes them a session, `POST /logout` ends it.
 * Nothing here logs a code, a token or a cookie.
 */
export function signInRoutes({ settings, sessions, log }: SignInOptions): Hono {
  const github = settings.oauth && new GitHubOAuth(settings.oauth, settings, `${settings.publicUrl}${CALLBACK_PATH}`);
  const routes = new Hono();

  routes.get(SIGN_IN_PATH, privatePage, (c) => {
    if (!github) return signInNotConfigured(c);
    const state = sessions.beginSignIn(c, safeReturnPath(c.req.query("return_to")));
    return c.redirect(github.authorizeUrl(state));
  });

  routes.get(CALLBACK_PATH, privatePage, async (c) => {
    if (!github) return signInNotConfigured(c);
    const attempt = sessions.finishSignIn(c, c.req.query("state"));
    if (!attempt) {
      return problemPage(c, 400, "This sign-in cannot be finished: it was started in another browser or over 10 minutes ago, or it was already used.", "/");
    }
    const denied = c.req.query("error");
    if (denied) {
      const message =
        denied === "access_denied" ? "You did not authorize the app on GitHub, so you are not signed in." : `GitHub did not sign you in (${denied}).`;
      return problemPage(c, 403, message, attempt.returnTo);
    }
    const code = c.req.query("code");
    if (!code) return problemPage(c, 400, "GitHub sent no sign-in code back.", attempt.returnTo);

    const outcome = await github.userForCode(code);
    switch (outcome.kind) {
      case "signed_in":
        sessions.start(c, outcome.user);
        return c.redirect(safeReturnPath(attempt.returnTo));
      case "refused":
        return problemPage(c, 400, `GitHub refused the sign-in: ${outcome.reason}`, attempt.returnTo);
      case "failed":
        log.warn({ problem: outcome.problem }, "Sign-in with GitHub failed");
        return problemPage(
          c,
          502,
          "GitHub could not complete the sign-in; the app's operator can find why in its log. Try again, and tell them if it persists.",
          attempt.returnTo,
        );
    }
  });

  routes.post(LOGOUT_PATH, privatePage, (c) => {
    sessions.end(c);
    return c.redirect("/", 303);
  });
  return routes;
}

/**
 * For pages only signed-in users may see: the user, or the answer to send instead — a redirect
 * to sign in that comes back to this page, or 503 while sign-in is not configured.
 */
export function requireSignIn(c: Context, options: Pick<SignInOptions, "settings" | "sessions">): GitHubUser | Response {
  if (!options.settings.oauth) return signInNotConfigured(c);
  const user = options.sessions.user(c);
  if (user) return user;
  const here = new URL(c.req.url);
  return c.redirect(signInUrl(`${here.pathname}${here.search}`));
}

/** SPEC 1: without GITHUB_CLIENT_ID/SECRET nobody can sign in, and private log pages say so. */
export function signInNotConfigured(c: Context): Response {
  return apiError(
    c,
    503,
    "oauth_not_configured",
    "Sign-in with GitHub is not set up: the app's operator must set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the GitHub App's OAuth credentials)",
  );
}

function signInUrl(returnTo: string): string {
  return `${SIGN_IN_PATH}?${new URLSearchParams({ return_to: returnTo })}`;
}

/** Answers about a visitor's sign-in: never cached, and their URL (which may hold a code) never sent on as a referrer. */
const privatePage: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
  c.header("referrer-policy", "no-referrer");
};

function problemPage(c: Context, status: ContentfulStatusCode, message: string, returnTo: string): Response | Promise<Response> {
  c.header("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  return c.html(
    html`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Sign-in with GitHub</title>
<p>${message}</p>
<p><a href="${signInUrl(returnTo)}">Sign in again</a></p>
</html>`,
    status,
  );
}
