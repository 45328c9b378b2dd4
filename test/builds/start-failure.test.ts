import { StartBuildError } from "../../src/domain/build.js";
import { classifyStartFailure, exhaustedStart, FAILED_CALL, retryingTitle, type StartFailure } from "../../src/builds/start-failure.js";

/** An AWS SDK error as a client throws it, with the call its client named (adapters/aws/failed-calls.ts). */
function aws(service: string, operation: string, name: string, options: { status?: number; fault?: "client" | "server"; message?: string } = {}) {
  const error = Object.assign(new Error(options.message ?? `${name} said no`), {
    name,
    $fault: options.fault ?? ((options.status ?? 400) >= 500 ? "server" : "client"),
    $metadata: { httpStatusCode: options.status ?? 400, attempts: 3 },
  });
  return Object.defineProperty(error, FAILED_CALL, { value: { service, operation } });
}

/** A network failure as the SDK throws it (no answer at all). */
function network(service: string, operation: string, code: string) {
  const error = Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: { attempts: 3 } });
  return Object.defineProperty(error, FAILED_CALL, { value: { service, operation } });
}

/** An Octokit RequestError. */
function github(
  status: number,
  message: string,
  headers: Record<string, string> = {},
  request = { method: "GET", url: "https://api.github.com/repos/octo/app/contents/.github%2Fcodebuild.yml?ref=abc" },
) {
  return Object.assign(new Error(message), {
    name: "HttpError",
    status,
    request,
    response: { status, headers, data: { message } },
  });
}

const passes = (reason: string): StartFailure => ({ passing: true, reason });
const stops = (title: string | RegExp, summary: RegExp) => ({
  passing: false,
  title: typeof title === "string" ? title : expect.stringMatching(title),
  summary: expect.stringMatching(summary),
});

describe("classifyStartFailure: what passes by itself, and what a user reads when it does not", () => {
  test.each<[string, unknown, unknown]>([
    // Passing: tried again with the retrying title.
    ["CodeBuild throttling", aws("CodeBuild", "StartBuild", "ThrottlingException"), passes("CodeBuild is throttling the app's requests")],
    ["DynamoDB over its throughput", aws("DynamoDB", "PutItem", "ProvisionedThroughputExceededException"), passes("DynamoDB is throttling the app's requests")],
    [
      "Secrets Manager's own error",
      aws("SecretsManager", "GetSecretValue", "InternalServiceError", { status: 500 }),
      passes("Secrets Manager had an error of its own (InternalServiceError)"),
    ],
    ["an unnamed 503", aws("CodeBuild", "StartBuild", "Error", { status: 503 }), passes("CodeBuild had an error of its own (503)")],
    ["a refused connection", network("DynamoDB", "Query", "ECONNREFUSED"), passes("DynamoDB could not be reached (ECONNREFUSED)")],
    [
      "a timeout",
      Object.defineProperty(Object.assign(new Error("timed out"), { name: "TimeoutError" }), FAILED_CALL, {
        value: { service: "SecretsManager", operation: "TagResource" },
      }),
      passes("Secrets Manager did not answer in time"),
    ],
    ["GitHub's server error", github(502, "Bad Gateway"), passes("GitHub had an error of its own (502)")],
    [
      "GitHub's secondary rate limit",
      github(403, "You have exceeded a secondary rate limit", { "retry-after": "60" }),
      passes("GitHub is throttling the app's requests"),
    ],
    ["GitHub's 429", github(429, "Too Many Requests"), passes("GitHub is throttling the app's requests")],
    // Not passing: the check run completes at once with what failed and what to do.
    [
      "an unknown Secrets Manager operation",
      aws("SecretsManager", "TagResource", "UnknownOperationException"),
      stops(
        "Secrets Manager refused TagResource",
        /^The build could not be started: Secrets Manager refused `TagResource` \(`UnknownOperationException: .*`\)\. .*AWS_ENDPOINT_URL_SECRETS_MANAGER.*Re-run this check once that is fixed\.$/,
      ),
    ],
    [
      "access denied on a secret",
      aws("SecretsManager", "GetSecretValue", "AccessDeniedException"),
      stops("Secrets Manager refused GetSecretValue", /may not make this call.*deploy\/iam-policy\.json/),
    ],
    [
      "access denied on StartBuild",
      aws("CodeBuild", "StartBuild", "AccessDeniedException"),
      stops("Not allowed to start the build", /not allowed to start builds of `web-build`.*codebuild:StartBuild/),
    ],
    [
      "the account's concurrent-build limit",
      aws("CodeBuild", "StartBuild", "AccountLimitExceededException"),
      stops("CodeBuild build limit reached", /limit of concurrent builds is reached.*Re-run this check when running builds have finished/),
    ],
    [
      "no such project",
      aws("CodeBuild", "StartBuild", "ResourceNotFoundException"),
      stops("CodeBuild project not found", /no project named `web-build`.*CODEBUILD_PROJECTS/),
    ],
    [
      "invalid input",
      aws("CodeBuild", "StartBuild", "InvalidInputException", { message: "Invalid source version" }),
      stops("CodeBuild refused the build", /`InvalidInputException: Invalid source version`/),
    ],
    ["the table missing", aws("DynamoDB", "Query", "ResourceNotFoundException"), stops("DynamoDB refused Query", /table does not exist.*TABLE_AUTO_CREATE/)],
    [
      "a Secrets Manager quota",
      aws("SecretsManager", "TagResource", "LimitExceededException"),
      stops("Secrets Manager refused TagResource", /quota of the AWS account/),
    ],
    [
      "GitHub refusing the app",
      github(403, "Resource not accessible by integration"),
      stops("GitHub refused a request", /GitHub refused `GET \/repos\/octo\/app\/contents\/\.github%2Fcodebuild\.yml`.*lack a permission/),
    ],
    [
      "GitHub refusing a deployment: the permission not accepted yet",
      github(403, "Resource not accessible by integration", {}, { method: "POST", url: "https://api.github.com/repos/octo/app/deployments" }),
      stops("GitHub refused a request", /lacks the Deployments permission that `deployment: true`.*or set `deployment: false`/),
    ],
    ["GitHub: the app uninstalled", github(404, "Not Found"), stops("GitHub refused a request", /not be installed on this repository/)],
    [
      "the local runner's refusal",
      new StartBuildError("the local runner never builds untrusted code", "Untrusted builds do not run on this machine"),
      { passing: false, title: "Untrusted builds do not run on this machine", summary: "the local runner never builds untrusted code" },
    ],
    [
      "the app's own bug",
      new TypeError("Cannot read properties of undefined"),
      stops("The build could not be started", /^The app failed to start the build: `Cannot read properties of undefined`\. This is the app's own error/),
    ],
  ])("%s", (_name, error, expected) => {
    expect(classifyStartFailure(error, { projectName: "web-build" })).toEqual(expected);
  });

  test("a service's message is quoted in a code span, cut short, and cannot add markup or mentions", () => {
    const failure = classifyStartFailure(
      aws("CodeBuild", "StartBuild", "InvalidInputException", { message: `Invalid branch \`x\` @admin [link](http://x) ${"a".repeat(1000)}` }),
    );
    if (failure.passing) throw new Error("expected a refusal");
    expect(failure.summary).toContain("``InvalidInputException: Invalid branch `x` @admin [link](http://x) aaa");
    expect(failure.summary.length).toBeLessThan(600);
  });

  test("a failure that passed every attempt gives up with its reason; the retrying title counts attempts", () => {
    expect(exhaustedStart("CodeBuild is throttling the app's requests", 5)).toEqual({
      passing: false,
      title: "Could not start — CodeBuild is throttling the app's requests",
      summary:
        "The build could not be started after 5 attempts: CodeBuild is throttling the app's requests. This usually passes by itself: re-run this check in a few minutes.",
    });
    expect(retryingTitle("CodeBuild is throttling the app's requests", 2, 5)).toBe(
      "Retrying to start — CodeBuild is throttling the app's requests (attempt 2 of 5)",
    );
  });
});
