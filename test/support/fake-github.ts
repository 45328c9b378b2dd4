import { generateKeyPairSync } from "node:crypto";
import { STATUS_CODES } from "node:http";
import nock, { type Interceptor } from "nock";
import { ENTERPRISE_API_PREFIX, GitHubStandIn, type StandInAnswer, type StandInRequest } from "../../src/demo/github-stand-in.js";
import { validateGitHubRequest } from "./openapi.js";

export type { CheckRunState, HookDelivery } from "../../src/demo/github-stand-in.js";

export interface InvalidRequest {
  method: string;
  /** As api.github.com would see it: without the GitHub Enterprise prefix, with the query. */
  path: string;
  problems: string[];
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  remaining: number;
}

/** Methods the fake answers in this process (through nock). */
const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"];
/** Said of a request no route of the fake answers. */
export const NO_REPLY = "the fake GitHub has no reply for it";

/** A validator that throws must not break the request being answered: its failure is a problem like any other. */
function checked(validate: () => string[]): string[] {
  try {
    return validate();
  } catch (error) {
    return [`the OpenAPI check itself failed: ${String(error)}`];
  }
}

/** A path as api.github.com would see it: without the GitHub Enterprise prefix. */
function apiPathOf(path: string): string {
  return path.startsWith(`${ENTERPRISE_API_PREFIX}/`) ? path.slice(ENTERPRISE_API_PREFIX.length) : path;
}

/** A JSON body parsed, as the fake's routes record it; anything else as sent. */
function parsed(body: string): unknown {
  if (body === "") return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

let privateKey: string | undefined;

/** An RSA key for the app's JWTs (GitHub is faked, so any key will do). */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

/**
 * The app's GitHub stand-in (`src/demo`), as tests use it: answering this process's requests through
 * nock (`install`) as well as other processes' over HTTP (`serve`), every request checked against
 * GitHub's OpenAPI description (`invalidRequests`), and faults injected on demand (`failNext`).
 */
export class FakeGitHub extends GitHubStandIn {
  /** Requests GitHub's OpenAPI description does not allow, and requests this fake has no reply for. */
  readonly invalidRequests: InvalidRequest[] = [];
  /** Every request the app sent, in order: method and path as api.github.com would see them, with the query, and when (ms). */
  readonly sent: { method: string; path: string; at: number }[] = [];
  private readonly faults: Fault[] = [];
  private readonly interceptors: Interceptor[] = [];

  /**
   * The next `count` requests of `method` whose path (as sent, e.g. `/api/v3/app?x=1`) matches are
   * answered with `status` instead: 403 and 429 as GitHub's secondary rate limit (with `retry-after: 1`),
   * others with the status's message (502 `{"message":"Bad Gateway"}`).
   */
  failNext(method: string, path: RegExp, status: number, count = 1): void {
    this.faults.push({ method: method.toUpperCase(), path, status, remaining: count });
  }

  override handle(request: StandInRequest): StandInAnswer {
    this.sent.push({ method: request.method.toUpperCase(), path: apiPathOf(request.path), at: Date.now() });
    const fault = this.faults.find((f) => f.remaining > 0 && f.method === request.method.toUpperCase() && f.path.test(request.path));
    const answer = fault ? undefined : this.route(request);
    this.validate(request, !fault && answer === undefined);
    if (fault) return this.fail(fault, request);
    return answer ?? this.noReply(request);
  }

  /** Answers this process's requests to the fake's origin (Octokit's fetch), through nock. */
  install(): void {
    const scope = nock(this.origin).persist();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    for (const method of METHODS) {
      const interceptor = scope.intercept(() => true, method);
      interceptor.reply(function (this: { req: { headers: Record<string, string | string[] | undefined> } }, uri, body) {
        const answer = fake.handle({ method, path: uri, headers: this.req.headers, body: typeof body === "string" ? body : JSON.stringify(body) });
        return [answer.status, answer.body as nock.Body, answer.headers ?? {}];
      });
      this.interceptors.push(interceptor);
    }
  }

  /** Removes what `install` added. */
  uninstall(): void {
    for (const interceptor of this.interceptors.splice(0)) nock.removeInterceptor(interceptor);
  }

  private fail(fault: Fault, request: StandInRequest): StandInAnswer {
    fault.remaining--;
    this.requests.push({ method: request.method.toUpperCase(), path: request.path, body: parsed(request.body), failedWith: fault.status });
    if (fault.status === 403 || fault.status === 429) {
      const message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
      const documentation_url = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";
      return { status: fault.status, body: { message, documentation_url }, headers: { "retry-after": "1" } };
    }
    return { status: fault.status, body: { message: STATUS_CODES[fault.status] ?? "Error" } };
  }

  private validate(request: StandInRequest, unmatched: boolean): void {
    const { method, path, body } = request;
    // GitHub's OAuth web flow lives outside the REST API and its OpenAPI description.
    if (path.startsWith("/login/oauth/") && !unmatched) return;
    const apiPath = apiPathOf(path);
    const problems = checked(() => validateGitHubRequest(method, apiPath, body));
    if (unmatched) problems.unshift(NO_REPLY);
    if (problems.length > 0) this.invalidRequests.push({ method, path: apiPath, problems });
  }
}
