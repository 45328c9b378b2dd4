import { rateLimitPause } from "../domain/github-rate-limit.js";
import { codeSpan } from "../checks/markdown.js";
import { StartBuildError } from "../domain/build.js";

/*
 * Why a build could not be started, in one place (SPEC 5, 8): an error on the way from an event to
 * a running build — CodeBuild, Secrets Manager, DynamoDB, GitHub — either passes by itself (throttling,
 * a server error, a timeout, the network) and is tried again, or it does not (a refusal: unknown
 * operation, access denied, an account limit, a missing resource, invalid input), and the check run
 * completes `failure` at once with what failed and what to do.
 */

/** A call to another service, as an error that came from it names it. */
export interface ServiceCall {
  /** As the AWS SDK names the client (`SecretsManager`, `CodeBuild`, `DynamoDB`), or `GitHub`. */
  service: string;
  /** As the service names it (`TagResource`), or a GitHub request's method and path. */
  operation: string;
}

/** Where the AWS adapters put the call on an error they throw (adapters/aws/failed-calls.ts). */
export const FAILED_CALL = Symbol.for("codebuild-checks.failedCall");

export type StartFailure =
  /** Worth another attempt: `reason` says what happened, short enough for a title. */
  | { passing: true; reason: string }
  /** Another attempt would fail the same way: the check run completes with these. */
  | { passing: false; title: string; summary: string };

/** What the words of a failure may name besides the error. */
export interface StartContext {
  /** The CodeBuild project the build was to run in. */
  projectName?: string;
}

/** AWS's exceptions for a request refused for its rate (CodeBuild, DynamoDB, Secrets Manager; the SDK's list). */
const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
  "TransactionInProgressException",
  "SlowDown",
]);
/** AWS's exceptions for a failure on the service's side. */
const SERVER_SIDE = new Set([
  "InternalServerError",
  "InternalServerException",
  "InternalServiceError",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
]);
/** AWS's exceptions for a request whose credentials or permissions were refused. */
const NOT_ALLOWED = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "MissingAuthenticationTokenException",
  "NotAuthorized",
]);
/** Node's codes for a connection that failed or was cut: the network, which may pass. */
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TIMEOUTS = new Set(["TimeoutError", "AbortError", "RequestTimeout", "RequestTimeoutException"]);
/** How much of a service's own message a check run quotes. */
const DETAIL_MAX = 300;

/** How services are named to a user. */
const SERVICE_WORDS: Record<string, string> = {
  SecretsManager: "Secrets Manager",
  CloudWatchLogs: "CloudWatch Logs",
  DynamoDB: "DynamoDB",
  CodeBuild: "CodeBuild",
  GitHub: "GitHub",
};
/** The endpoint variable of each AWS service (SPEC 1). */
const ENDPOINT_VARIABLES: Record<string, string> = {
  SecretsManager: "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  CloudWatchLogs: "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
  DynamoDB: "AWS_ENDPOINT_URL_DYNAMODB",
  CodeBuild: "AWS_ENDPOINT_URL_CODEBUILD",
};

/** What an error says about itself, whatever threw it. */
interface ErrorFacts {
  name: string;
  code: string;
  message: string;
  status: number | undefined;
  serverFault: boolean;
  call: ServiceCall | undefined;
}

function factsOf(error: unknown): ErrorFacts {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string | symbol, unknown>;
  const metadata = e.$metadata as { httpStatusCode?: unknown } | undefined;
  const status = typeof e.status === "number" ? e.status : typeof metadata?.httpStatusCode === "number" ? metadata.httpStatusCode : undefined;
  return {
    name: typeof e.name === "string" ? e.name : "",
    code: typeof e.code === "string" ? e.code : "",
    message: error instanceof Error ? error.message : String(error),
    status,
    serverFault: e.$fault === "server",
    call: (e[FAILED_CALL] as ServiceCall | undefined) ?? gitHubCall(e),
  };
}

/** An Octokit RequestError names its request. */
function gitHubCall(e: Record<string | symbol, unknown>): ServiceCall | undefined {
  const request = e.request as { method?: unknown; url?: unknown } | undefined;
  if (e.name !== "HttpError" || typeof request?.url !== "string") return undefined;
  const path = request.url.replace(/^https?:\/\/[^/]+(\/api\/v3)?/, "").split("?")[0];
  return { service: "GitHub", operation: `${String(request.method ?? "GET")} ${path}` };
}

/** Why another attempt may succeed, or undefined when it would not. */
function passingReason(error: unknown, facts: ErrorFacts, service: string): string | undefined {
  const { name, code, status } = facts;
  const gitHubLimit = facts.call?.service === "GitHub" && rateLimitPause(error, 0) !== undefined;
  if (THROTTLING.has(name) || status === 429 || gitHubLimit) {
    return `${service} is throttling the app's requests`;
  }
  if (NETWORK.has(code)) return `${service} could not be reached (${code})`;
  if (TIMEOUTS.has(name)) return `${service} did not answer in time`;
  if (SERVER_SIDE.has(name) || facts.serverFault || (status !== undefined && status >= 500)) {
    return `${service} had an error of its own (${name && name !== "Error" && name !== "HttpError" ? name : status})`;
  }
  return undefined;
}

/**
 * Whether a start-path error passes by itself, and in words a user can act on: what failed, and
 * what to do. Pure: the error's name, code, status and the call it came from decide.
 */
export function classifyStartFailure(error: unknown, context: StartContext = {}): StartFailure {
  if (error instanceof StartBuildError) return { passing: false, title: error.title, summary: error.message };
  const facts = factsOf(error);
  const service = facts.call ? (SERVICE_WORDS[facts.call.service] ?? facts.call.service) : "A service the app uses";
  const reason = passingReason(error, facts, service);
  if (reason !== undefined) return { passing: true, reason };
  if (!facts.call) {
    return {
      passing: false,
      title: "The build could not be started",
      summary: `The app failed to start the build: ${codeSpan(clip(facts.message))}. This is the app's own error and has been logged; re-run this check to try again.`,
    };
  }
  return refusal(facts, facts.call, service, context);
}

/** A failure that passed every attempt: the last attempt's reason, and that it gave up. */
export function exhaustedStart(reason: string, attempts: number): Extract<StartFailure, { passing: false }> {
  return {
    passing: false,
    title: `Could not start — ${reason}`,
    summary: `The build could not be started after ${attempts} attempts: ${reason}. This usually passes by itself: re-run this check in a few minutes.`,
  };
}

/** The title of a check run whose start is tried again. */
export function retryingTitle(reason: string, attempt: number, attempts: number): string {
  return `Retrying to start — ${reason} (attempt ${attempt} of ${attempts})`;
}

function refusal(facts: ErrorFacts, call: ServiceCall, service: string, context: StartContext): Extract<StartFailure, { passing: false }> {
  const said = `${codeSpan(clip(`${facts.name || facts.status}: ${facts.message}`))}`;
  const refused = `${service} refused ${codeSpan(call.operation)} (${said})`;
  const fixed = "Re-run this check once that is fixed.";
  const project = codeSpan(context.projectName ?? "the project");
  if (call.service === "CodeBuild") {
    switch (facts.name) {
      case "ResourceNotFoundException":
        return {
          passing: false,
          title: "CodeBuild project not found",
          summary: `CodeBuild has no project named ${project} in this account and region (${said}). Check \`project\` in .github/codebuild.yml, or ask the app's operator to check CODEBUILD_PROJECTS and CODEBUILD_PROJECT. ${fixed}`,
        };
      case "AccountLimitExceededException":
        return {
          passing: false,
          title: "CodeBuild build limit reached",
          summary: `CodeBuild refused to start another build: the account's limit of concurrent builds is reached (${said}). Re-run this check when running builds have finished, or ask the app's operator to request a higher quota from AWS.`,
        };
      case "InvalidInputException":
        return { passing: false, title: "CodeBuild refused the build", summary: `CodeBuild refused the build request (${said}). ${fixed}` };
    }
    if (NOT_ALLOWED.has(facts.name)) {
      return {
        passing: false,
        title: "Not allowed to start the build",
        summary: `The app is not allowed to start builds of ${project} (${said}). The app's operator must allow \`codebuild:StartBuild\` on that project for the app's role. ${fixed}`,
      };
    }
  }
  return {
    passing: false,
    title: `${service} refused ${call.service === "GitHub" ? "a request" : call.operation}`,
    summary: `The build could not be started: ${refused}. ${advice(facts, call, service)} ${fixed}`,
  };
}

/** What the operator or the repository's maintainers can do about a refusal. */
function advice(facts: ErrorFacts, call: ServiceCall, service: string): string {
  if (call.service === "GitHub") {
    if (facts.status === 401) return "GitHub did not accept the app's credentials: the operator should check APP_ID and the private key.";
    if (facts.status === 403 && /\/deployments(\/|$)/.test(call.operation)) {
      return "The app lacks the Deployments permission that `deployment: true` in .github/codebuild.yml needs: an owner of the installation must accept it (GitHub asks them once the app's settings request it), or set `deployment: false`.";
    }
    if (facts.status === 403)
      return "The app may lack a permission it needs (see app.yml) or access to this repository: an owner of the installation can grant it.";
    if (facts.status === 404) return "GitHub found nothing there: the app may not be installed on this repository any more, or the commit is gone.";
    return "GitHub refused the request as the app made it.";
  }
  const endpoint = ENDPOINT_VARIABLES[call.service];
  if (facts.name === "UnknownOperationException") {
    return `${service} at the app's endpoint does not know this operation: the app's operator should check that ${endpoint ?? "the endpoint setting"} (or AWS_ENDPOINT_URL), if set, points at ${service} itself, since an emulator may lack it.`;
  }
  if (NOT_ALLOWED.has(facts.name)) {
    return `The app's AWS credentials may not make this call: the app's operator must allow it for the app's role (deploy/iam-policy.json lists every call the app makes).`;
  }
  if (facts.name === "ResourceNotFoundException") {
    if (call.service === "DynamoDB") return "The app's table does not exist: the app's operator must create it (TABLE_NAME, or TABLE_AUTO_CREATE=true).";
    if (call.service === "SecretsManager")
      return "A secret this repository stores is missing from Secrets Manager: set it again with `/secret set`, or remove it with `/env unset`.";
    return `What the app asked for does not exist in ${service}.`;
  }
  if (/LimitExceeded/.test(facts.name)) return `A quota of the AWS account is reached: the app's operator can ask AWS for a higher one.`;
  return `The request was refused as the app made it: the app's operator can find it in the app's log.`;
}

function clip(text: string): string {
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX)}…` : text;
}
