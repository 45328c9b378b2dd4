import { RollingLimit } from "./rolling-limit.js";

/*
 * GitHub's secondary limit the benchmark enforces: no more than 80 content-generating requests a
 * minute (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
 * Every POST, PATCH, PUT and DELETE of the installation counts; the app's own token requests do not.
 */
export const CONTENT_REQUESTS_PER_MINUTE = 80;
const MINUTE_MS = 60_000;
/** What GitHub answers past a secondary limit; Octokit and the app recognise it by these words. */
const SECONDARY_LIMIT_MESSAGE = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
const RETRY_AFTER_SECONDS = 60;

/** One request the app sent to GitHub. */
export interface GitHubRequest {
  at: number;
  method: string;
  /** As api.github.com would see it, with the query. */
  path: string;
  body: Record<string, unknown> | undefined;
  /** GitHub's answer; 0 while it is awaited. */
  status: number;
}

/** JWT-authenticated: the app's, not the installation's. */
const TOKEN_REQUEST = /^\/app\/installations\/\d+\/access_tokens$/;
const ENTERPRISE_API_PREFIX = /^\/api\/v3(?=\/)/;

function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== "string") return undefined;
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Every request the app sends to GitHub (at `origin`), recorded with its time and body as it leaves
 * Octokit (which calls the global fetch; nock answers beneath), and GitHub's secondary limit on
 * content-generating requests enforced: past it the request is answered 403, as GitHub would.
 * The benchmark's builds all belong to one installation, so one quota serves all.
 */
export class GitHubTraffic {
  readonly requests: GitHubRequest[] = [];
  private readonly contentQuota = new RollingLimit(CONTENT_REQUESTS_PER_MINUTE, MINUTE_MS);
  private inner: typeof fetch | undefined;

  constructor(private readonly origin: string) {}

  install(): void {
    const inner = (this.inner = globalThis.fetch);
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      if (url.origin !== this.origin) return inner(input, init);
      const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
      const path = url.pathname.replace(ENTERPRISE_API_PREFIX, "") + url.search;
      const request: GitHubRequest = { at: Date.now(), method, path, body: parseBody(init?.body), status: 0 };
      this.requests.push(request);
      if (this.generatesContent(method, url.pathname.replace(ENTERPRISE_API_PREFIX, "")) && !this.contentQuota.admit(request.at)) {
        request.status = 403;
        return Response.json({ message: SECONDARY_LIMIT_MESSAGE }, { status: 403, headers: { "retry-after": String(RETRY_AFTER_SECONDS) } });
      }
      const response = await inner(input, init);
      request.status = response.status;
      return response;
    };
  }

  uninstall(): void {
    if (this.inner) globalThis.fetch = this.inner;
  }

  /** Answers GitHub gives when a limit is hit. */
  get limited(): GitHubRequest[] {
    return this.requests.filter((r) => r.status === 403 || r.status === 429);
  }

  /** Check-run updates (PATCH), in the order they were sent, with the check run's id. */
  checkRunUpdates(): (GitHubRequest & { checkRunId: number })[] {
    return this.requests.flatMap((r) => {
      const match = r.method === "PATCH" ? /\/check-runs\/(\d+)$/.exec(r.path) : null;
      return match ? [{ ...r, checkRunId: Number(match[1]) }] : [];
    });
  }

  private generatesContent(method: string, path: string): boolean {
    return method !== "GET" && method !== "HEAD" && !TOKEN_REQUEST.test(path);
  }
}
