import { validateGitHubRequest } from "./openapi.js";
import { newDeployment } from "../../src/deployments/deployment.js";

const annotation = { path: "src/a.ts", start_line: 3, end_line: 3, annotation_level: "failure", message: "Type error" };
const createBody = {
  name: "CodeBuild",
  head_sha: "0123456789abcdef0123456789abcdef01234567",
  status: "completed",
  conclusion: "failure",
  completed_at: "2024-05-01T12:00:00.000Z",
  output: { title: "Build failed", summary: "npm ci failed", annotations: [annotation] },
};

describe("validateGitHubRequest", () => {
  test.each([
    ["a check run create", "POST", "/repos/octo/hello/check-runs", createBody],
    ["the same body as sent on the wire", "POST", "/repos/octo/hello/check-runs", JSON.stringify(createBody)],
    ["a check run update", "PATCH", "/repos/octo/hello/check-runs/42", { status: "in_progress", output: { title: "BUILD", summary: "…" } }],
    ["check runs for a ref, by name", "GET", "/repos/octo/hello/commits/abc123/check-runs?check_name=CI&filter=latest", undefined],
    ["a file at a ref, nested path", "GET", "/repos/octo/hello/contents/.github/codebuild.yml?ref=main", undefined],
    ["the authenticated app", "GET", "/app", undefined],
  ])("%s is valid", (_what, method, path, body) => {
    expect(validateGitHubRequest(method, path, body)).toEqual([]);
  });

  test.each([
    [
      "an unknown conclusion",
      "POST",
      "/repos/octo/hello/check-runs",
      { ...createBody, conclusion: "passed" },
      /^body\.conclusion: "passed" is not one of .*success/,
    ],
    [
      "an annotation without its level",
      "POST",
      "/repos/octo/hello/check-runs",
      { ...createBody, output: { ...createBody.output, annotations: [{ ...annotation, annotation_level: undefined }] } },
      /^body\.output\.annotations\.0\.annotation_level: is required$/,
    ],
    ["a missing head_sha", "POST", "/repos/octo/hello/check-runs", { name: "CI" }, /^body\.head_sha: is required$/],
    ["a misspelt field GitHub would ignore", "PATCH", "/repos/octo/hello/check-runs/42", { conclusoin: "success" }, /^body\.conclusoin: is not defined/],
    [
      "a summary over GitHub's limit",
      "PATCH",
      "/repos/octo/hello/check-runs/42",
      { output: { title: "t", summary: "x".repeat(65_536) } },
      /^body\.output\.summary: must NOT have more than 65535/,
    ],
    ["an unknown path", "GET", "/repos/octo/hello/check-runz", undefined, /no operation .* \/repos\/octo\/hello\/check-runz$/],
    [
      "a method the path lacks",
      "DELETE",
      "/repos/octo/hello/check-runs/42",
      undefined,
      /^DELETE is not an operation of \/repos\/\{owner\}\/\{repo\}\/check-runs\/\{check_run_id\}/,
    ],
    ["a non-numeric check run id", "PATCH", "/repos/octo/hello/check-runs/abc", { status: "queued" }, /^path\.check_run_id: must be integer$/],
    [
      "a bad query enum",
      "GET",
      "/repos/octo/hello/commits/abc123/check-runs?status=done",
      undefined,
      /^query\.status: "done" is not one of queued, in_progress, completed$/,
    ],
    ["an unknown query parameter", "GET", "/repos/octo/hello/commits/abc123/check-runs?check=CI", undefined, /^query\.check: is not defined/],
    ["a body that is not JSON", "POST", "/repos/octo/hello/check-runs", "name=CI", /^body: is not JSON$/],
    ["a required body left out", "PATCH", "/repos/octo/hello/check-runs/42", undefined, /^body: is required$/],
  ])("%s is a problem naming the field", (_what, method, path, body, problem) => {
    const problems = validateGitHubRequest(method, path, body);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

describe("validateGitHubRequest: deployments, their statuses and the deployment comment (SPEC 10)", () => {
  const deployment = newDeployment({
    sha: "0123456789abcdef0123456789abcdef01234567",
    environment: "preview",
    deploymentId: "d1",
    pullRequestNumber: 3,
    branch: "feature",
  });
  const status = { state: "success", description: "Deployed", log_url: "https://ci.example.com/builds/d1", environment_url: "https://pr-3.example.com/" };

  test.each([
    ["a deployment as the app makes it", "POST", "/repos/octo/hello/deployments", deployment],
    [
      "the lookup by commit and environment",
      "GET",
      "/repos/octo/hello/deployments?sha=0123456789abcdef0123456789abcdef01234567&environment=preview&per_page=100",
      undefined,
    ],
    ["a status with its addresses", "POST", "/repos/octo/hello/deployments/9/statuses", status],
    [
      "an inactive status",
      "POST",
      "/repos/octo/hello/deployments/9/statuses",
      { state: "inactive", description: "Superseded by abc1234", log_url: "https://ci.example.com/builds/d1" },
    ],
    ["the comment edited", "PATCH", "/repos/octo/hello/issues/comments/77", { body: "<!-- codebuild-checks:deployments -->" }],
    ["the comments looked through", "GET", "/repos/octo/hello/issues/3/comments?per_page=100", undefined],
    ["a user's installations", "GET", "/user/installations?per_page=100", undefined],
    ["their repositories", "GET", "/user/installations/11/repositories?per_page=100", undefined],
  ])("%s is valid", (_what, method, path, body) => {
    expect(validateGitHubRequest(method, path, body)).toEqual([]);
  });

  test.each([
    [
      "a state GitHub does not have",
      "POST",
      "/repos/octo/hello/deployments/9/statuses",
      { ...status, state: "cancelled" },
      /^body\.state: "cancelled" is not one of/,
    ],
    ["auto_merge as text", "POST", "/repos/octo/hello/deployments", { ...deployment, auto_merge: "false" }, /^body\.auto_merge: must be boolean$/],
    ["a misspelt field", "POST", "/repos/octo/hello/deployments/9/statuses", { ...status, environmentUrl: "x" }, /^body\.environmentUrl: is not defined/],
  ])("%s is a problem naming the field", (_what, method, path, body, problem) => {
    expect(validateGitHubRequest(method, path, body)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});
