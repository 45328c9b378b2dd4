import { pageContentSecurityPolicy, setPageSecurityHeaders } from "./page-security.js";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { etag } from "hono/etag";
import type { Logger } from "pino";
import type { BuildMaskers } from "../workflows/builds/build-masking.js";
import { STORED_LINE_MAX_BYTES, type BuildLogStore } from "../ports/build-logs.js";
import type { BuildRecord, BuildRecordStore } from "../ports/build-records.js";
import { plainLogLine } from "../checks/terminal.js";
import type { Masker, MaskedText } from "../variables/masking.js";
import type { Settings } from "../settings.js";
import type { GitHubPermission } from "./access-rules.js";
import { decideBuildAccess, type BuildAccessDecision, type BuildAccessFacts } from "./build-access.js";
import { buildFactsView, buildStateView } from "./build-view.js";
import { csrfToken, isValidCsrfToken } from "./csrf.js";
import { apiError } from "./errors.js";
import { bearerToken, type GitHubUser, type GitHubUsers } from "./github-user.js";
import { LOG_PAGE_STYLES } from "./log-page-styles.js";
import { LOG_PAGE_SCRIPT_PATH, LOG_PAGE_STYLES_PATH, PAGE_LOG_MAX_BYTES, renderLogPage } from "./log-page.js";
import { readPageScript } from "./page-scripts.js";
import { encodeLogToken, logQuerySchema, logReadFor, logsAnswer } from "./log-query.js";
import type { RepositoryAccessResolver } from "./repository-access.js";
import { SESSION_COOKIE, SIGN_IN_PATH, type Sessions } from "./session.js";
import { signInNotConfigured } from "./sign-in.js";
import type { BuildRunner } from "../ports/build-runner.js";

export interface BuildRoutesDependencies {
  settings: Pick<Settings, "oauth" | "sessionSecret" | "githubWebUrl">;
  records: Pick<BuildRecordStore, "get">;
  /** What the watcher stored, masked: the only source of log lines here (no CloudWatch reads). */
  logStore: Pick<BuildLogStore, "page">;
  /** Every line served is masked again as served, with every value known now (SPEC 5: masking at each exit). */
  maskers: Pick<BuildMaskers, "forBuild">;
  runner: Pick<BuildRunner, "stop">;
  sessions: Pick<Sessions, "user">;
  access: Pick<RepositoryAccessResolver, "access">;
  /** Confirms API callers' `Authorization: Bearer` tokens. */
  users: Pick<GitHubUsers, "userForToken">;
  log: Pick<Logger, "info" | "warn">;
  /** For the running time of a phase in progress. */
  now?: () => Date;
}

/** SPEC 7: no inline code, nothing from elsewhere, no framing. */
export const LOG_PAGE_CSP = pageContentSecurityPolicy();

/** Lines of the log put into the page itself; its script reads the rest through the API. */
const PAGE_LOG_LINES = 5000;
/** Lines asked of the log store at a time for the page. */
const STORE_READ_LINES = 1000;

/** Deployment ids are 32 hex digits; anything far from that is no build, and never reaches the store. */
const BUILD_ID = /^[A-Za-z0-9_-]{1,128}$/;

const NOT_FOUND_MESSAGE = "There is no build with this id that you can read: check the link, or sign in with a GitHub account that can read its repository";

type ApiEnv = { Variables: { record: BuildRecord } };

/**
 * The build's log page and its API (SPEC 7): `GET /builds/:id`, the page's script and styles,
 * `POST /builds/:id/cancel`, `GET /api/builds/:id` (state and phases) and
 * `GET /api/builds/:id/logs` (the masked log, page by page).
 */
export function buildRoutes(deps: BuildRoutesDependencies): Hono {
  const now = deps.now ?? (() => new Date());
  const signInConfigured = deps.settings.oauth !== undefined;
  const routes = new Hono();
  routes.use("/builds/*", securityHeaders);
  routes.use("/api/builds/*", securityHeaders);
  routes.use("/api/deployments/*", securityHeaders);

  const script = readPageScript("log-page.js");
  routes.get(LOG_PAGE_SCRIPT_PATH, etag(), (c) => asset(c, script, "text/javascript; charset=utf-8"));
  routes.get(LOG_PAGE_STYLES_PATH, etag(), (c) => asset(c, LOG_PAGE_STYLES, "text/css; charset=utf-8"));

  /** The signed-in user; nobody while sign-in is not configured, whatever cookie is left. */
  const sessionUser = (c: Context) => (signInConfigured ? deps.sessions.user(c) : undefined);

  /** The user's permission on the build's repository; undefined where the app does not serve it any more. */
  const permissionOn = async (record: BuildRecord, user: GitHubUser): Promise<GitHubPermission | undefined> => {
    const found = await deps.access.access(record.repository.owner, record.repository.name, user);
    // A build's data follows its repository's id: another repository now under the old name gets none of it.
    return found?.repository.id === record.repository.id ? found.permission : undefined;
  };

  /**
   * What the page needs of a signed-in user's permission: a private build needs it to be read at all;
   * a public one only for a Cancel button, so a failure to ask GitHub then costs the button, not the page.
   */
  const pagePermission = async (record: BuildRecord, user: GitHubUser): Promise<GitHubPermission | undefined> => {
    if (record.repository.private) return permissionOn(record, user);
    if (!isStoppable(record)) return undefined;
    try {
      return await permissionOn(record, user);
    } catch (err) {
      deps.log.warn({ err, deploymentId: record.deploymentId }, "Could not ask GitHub for a user's permission: the log page shows no Cancel button");
      return undefined;
    }
  };

  const factsFor = (record: BuildRecord, user: GitHubUser | undefined, permission: GitHubPermission | undefined): BuildAccessFacts => ({
    build: { private: record.repository.private, running: isStoppable(record) },
    signInConfigured,
    signedIn: user !== undefined,
    permission,
  });

  routes.get("/builds/:id", async (c) => {
    const record = await findBuild(deps, c.req.param("id"));
    if (!record) return apiError(c, 404, "not_found", NOT_FOUND_MESSAGE);
    const user = sessionUser(c);
    const permission = user && (await pagePermission(record, user));
    const facts = factsFor(record, user, permission);
    const decision = decideBuildAccess(facts, "read");
    if (decision !== "allowed") return pageRefusal(c, decision, record);

    const session = getCookie(c, SESSION_COOKIE);
    const canCancel = decideBuildAccess(facts, "cancel") === "allowed" && session !== undefined;
    const { masker } = await deps.maskers.forBuild(record);
    const log = await readPageLog(deps.logStore, record.deploymentId, masker);
    const base = `/builds/${record.deploymentId}`;
    c.header("cache-control", "no-store");
    return c.html(
      renderLogPage({
        state: buildStateView(record, now()),
        facts: buildFactsView(record, deps.settings.githubWebUrl),
        log: {
          lines: log.lines,
          nextToken: encodeLogToken(log.next),
          complete: record.completed && log.atEnd,
          more: !log.atEnd,
          s3Only: record.snapshot?.logs?.s3Only ?? false,
        },
        urls: { logs: `/api/builds/${record.deploymentId}/logs`, state: `/api/builds/${record.deploymentId}`, cancel: `${base}/cancel` },
        account: !signInConfigured ? undefined : user ? { login: user.login } : { signInUrl: signInUrl(base) },
        cancelToken: canCancel ? csrfToken(deps.settings.sessionSecret, session) : undefined,
        cancelRequested: c.req.query("cancel") === "requested",
      }),
    );
  });

  routes.post("/builds/:id/cancel", async (c) => {
    const record = await findBuild(deps, c.req.param("id"));
    if (!record) return apiError(c, 404, "not_found", NOT_FOUND_MESSAGE);
    const user = sessionUser(c);
    const permission = user ? await permissionOn(record, user) : undefined;
    const decision = decideBuildAccess(factsFor(record, user, permission), "cancel");
    if (decision !== "allowed") return pageRefusal(c, decision, record);
    const form = await c.req.parseBody();
    const token = typeof form.csrf === "string" ? form.csrf : undefined;
    if (!isValidCsrfToken(deps.settings.sessionSecret, getCookie(c, SESSION_COOKIE), token)) {
      return apiError(
        c,
        403,
        "forbidden",
        "This Cancel request did not come from the build's page in your signed-in browser: open the page again and use its Cancel button",
      );
    }
    // "allowed" means a signed-in user and a build the runner can stop. The watcher then sees
    // STOPPED and completes the check run `cancelled`.
    await deps.runner.stop(record.buildId!);
    deps.log.info({ deploymentId: record.deploymentId, buildId: record.buildId, user: user!.login }, "Build cancelled from its log page");
    return c.redirect(`/builds/${record.deploymentId}?cancel=requested`, 303);
  });

  /** Lets an API caller read a build: anyone on a public repository, else a session or a Bearer token of a reader. */
  const readableBuild: MiddlewareHandler<ApiEnv, "/api/builds/:id/*"> = async (c, next) => {
    const record = await findBuild(deps, c.req.param("id"));
    if (!record) return apiError(c, 404, "not_found", NOT_FOUND_MESSAGE);
    // Who the caller is matters only when an anonymous one may not read: public builds cost no GitHub calls.
    let decision = decideBuildAccess(factsFor(record, undefined, undefined), "read");
    let token: string | undefined;
    if (decision !== "allowed" && signInConfigured) {
      token = bearerToken(c.req.header("authorization"));
      const user = sessionUser(c) ?? (token === undefined ? undefined : await deps.users.userForToken(token));
      decision = decideBuildAccess(factsFor(record, user, user && (await permissionOn(record, user))), "read");
    }
    if (decision !== "allowed") return apiRefusal(c, decision, token !== undefined);
    c.set("record", record);
    await next();
  };

  routes.get("/api/builds/:id", readableBuild, (c) => c.json(buildStateView(c.get("record"), now())));

  // The seed plan's twin (SPEC 7): a deployment is a build, by its DEPLOYMENT_ID; the same handler and access.
  routes.on("GET", ["/api/builds/:id/logs", "/api/deployments/:id/logs"], readableBuild, async (c) => {
    const query = logQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      return apiError(c, 400, "invalid_request", "The query does not fit GET /api/builds/:id/logs: fix the parameters named in issues", query.error.issues);
    }
    // The record is read before the log: a build recorded completed has all its lines stored.
    const record = c.get("record");
    const { from, limit, maxBytes } = logReadFor(query.data);
    const read = await deps.logStore.page(record.deploymentId, from, limit, maxBytes);
    const { masker } = await deps.maskers.forBuild(record);
    return c.json(logsAnswer(query.data, read.lines, record.completed, masker));
  });

  return routes;
}

/** A build the runner can still stop: StartBuild answered and the check run has not completed. */
function isStoppable(record: BuildRecord): boolean {
  return !record.completed && record.buildId !== undefined;
}

async function findBuild(deps: Pick<BuildRoutesDependencies, "records">, id: string): Promise<BuildRecord | undefined> {
  return BUILD_ID.test(id) ? deps.records.get(id) : undefined;
}

/**
 * The start of the log for the page: at most PAGE_LOG_LINES lines and PAGE_LOG_MAX_BYTES of text,
 * each line's final text (escapes removed) masked; `atEnd` when it holds all that is stored.
 */
async function readPageLog(
  store: BuildRoutesDependencies["logStore"],
  deploymentId: string,
  masker: Masker,
): Promise<{ lines: MaskedText[]; next: number; atEnd: boolean }> {
  const lines: MaskedText[] = [];
  let next = 0;
  let bytes = 0;
  while (lines.length < PAGE_LOG_LINES && bytes < PAGE_LOG_MAX_BYTES) {
    const want = Math.min(STORE_READ_LINES, PAGE_LOG_LINES - lines.length);
    // One line more than the page's room is read, so a page cut by bytes knows that more is stored.
    const page = await store.page(deploymentId, next, want, PAGE_LOG_MAX_BYTES - bytes + STORED_LINE_MAX_BYTES);
    for (const line of page.lines) {
      const size = Buffer.byteLength(line.text, "utf8");
      if (lines.length > 0 && bytes + size > PAGE_LOG_MAX_BYTES) return { lines, next, atEnd: false };
      lines.push(masker.mask(plainLogLine(line.text)));
      bytes += size;
      next++;
    }
    if (page.lines.length < want) return { lines, next, atEnd: true };
  }
  return { lines, next, atEnd: false };
}

function signInUrl(returnTo: string): string {
  return `${SIGN_IN_PATH}?${new URLSearchParams({ return_to: returnTo })}`;
}

/** A page (or the Cancel form) refused: sent to sign in, or SPEC 7's JSON error. */
function pageRefusal(c: Context, decision: Exclude<BuildAccessDecision, "allowed">, record: BuildRecord): Response {
  switch (decision) {
    case "sign_in":
      return c.redirect(signInUrl(`/builds/${record.deploymentId}`), c.req.method === "GET" ? 302 : 303);
    case "sign_in_not_configured":
      return signInNotConfigured(c);
    case "not_found":
      return apiError(c, 404, "not_found", NOT_FOUND_MESSAGE);
    case "forbidden":
      return apiError(
        c,
        403,
        "forbidden",
        `Cancelling a build needs write permission on ${record.repository.owner}/${record.repository.name}; you can only read it. Ask someone with write access`,
      );
    case "not_running": {
      const message = record.completed
        ? "This build has already finished: there is nothing to cancel"
        : "CodeBuild has not started this build yet: try again in a few seconds";
      // SPEC 7's error body; ApiErrorCode (errors.ts) has no code for a conflict with the build's state yet.
      return c.json({ error: { code: "conflict", message } }, 409);
    }
  }
}

const REALM = 'Bearer realm="codebuild-checks"';

function apiRefusal(c: Context, decision: Exclude<BuildAccessDecision, "allowed">, sentToken: boolean): Response {
  switch (decision) {
    case "sign_in":
      c.header("www-authenticate", sentToken ? `${REALM}, error="invalid_token"` : REALM);
      return sentToken
        ? apiError(c, 401, "invalid_token", "GitHub does not confirm this token as one issued to this app: sign in with the app again for a new token")
        : apiError(
            c,
            401,
            "unauthenticated",
            "This build's repository is private: sign in on the build's page, or send a GitHub user token of this app as Authorization: Bearer <token>",
          );
    case "sign_in_not_configured":
      return signInNotConfigured(c);
    default:
      return apiError(c, 404, "not_found", NOT_FOUND_MESSAGE);
  }
}

/** SPEC 7's headers on every page, asset and answer of these routes. */
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  setPageSecurityHeaders(c, LOG_PAGE_CSP);
};

function asset(c: Context, body: string, contentType: string): Response {
  c.header("content-type", contentType);
  // Revalidated every time (the ETag makes that cheap), so a new version of the app is never mixed with an old script.
  c.header("cache-control", "no-cache");
  return c.body(body);
}
