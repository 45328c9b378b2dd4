import type { BuildSnapshot } from "../../src/domain/build.js";
import { DEPLOYMENT_DESCRIPTION_MAX, deploymentStatusOf, newDeployment, payloadDeploymentId, type DeploymentStatus } from "../../src/deployments/deployment.js";
import type { DeployUrl } from "../../src/deployments/deploy-url.js";
import type { MaskedText } from "../../src/variables/masking.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const NEWER = "fedcba9876543210fedcba9876543210fedcba98";

describe("newDeployment", () => {
  test("a pull request's build: a transient preview, never merged, no required contexts, DEPLOYMENT_ID in the payload", () => {
    expect(newDeployment({ sha: SHA, environment: "preview", deploymentId: "d1", pullRequestNumber: 12, branch: "feature/x" })).toEqual({
      ref: SHA,
      environment: "preview",
      production_environment: false,
      transient_environment: true,
      auto_merge: false,
      required_contexts: [],
      payload: { DEPLOYMENT_ID: "d1" },
      description: "Preview of pull request #12",
    });
  });

  test("a push to the default branch: production, not transient", () => {
    expect(newDeployment({ sha: SHA, environment: "production", deploymentId: "d2", branch: "main" })).toMatchObject({
      environment: "production",
      production_environment: true,
      transient_environment: false,
      description: "Production build of main",
    });
  });

  test("a long branch name is cut to GitHub's 140 characters", () => {
    const { description } = newDeployment({ sha: SHA, environment: "preview", deploymentId: "d3", branch: "b".repeat(300) });
    expect(description.length).toBe(DEPLOYMENT_DESCRIPTION_MAX);
    expect(description.endsWith("…")).toBe(true);
  });
});

describe("payloadDeploymentId", () => {
  test.each<[unknown, string | undefined]>([
    [{ DEPLOYMENT_ID: "abc" }, "abc"],
    ['{"DEPLOYMENT_ID":"abc"}', "abc"],
    [{ DEPLOYMENT_ID: 5 }, undefined],
    [{}, undefined],
    ["", undefined],
    ["not json", undefined],
    [null, undefined],
    [["abc"], undefined],
  ])("%j → %j", (payload, id) => {
    expect(payloadDeploymentId(payload)).toBe(id);
  });
});

describe("deploymentStatusOf: the build as its deployment shows it", () => {
  const url = "https://pr-9.example.com/" as MaskedText;
  const snapshot = (status: BuildSnapshot["status"], currentPhase: string, deployUrl?: DeployUrl): BuildSnapshot & { deployUrl?: DeployUrl } => ({
    id: "p:1",
    status,
    currentPhase,
    phases: [
      { name: "SUBMITTED", status: "SUCCEEDED", messages: [] },
      { name: currentPhase, messages: [] },
    ],
    ...(deployUrl && { deployUrl }),
  });

  test.each<[string, BuildSnapshot & { deployUrl?: DeployUrl }, string | undefined, DeploymentStatus]>([
    ["waiting in CodeBuild's queue", snapshot("IN_PROGRESS", "QUEUED"), undefined, { state: "queued", description: "Waiting for the build to start" }],
    ["building", snapshot("IN_PROGRESS", "BUILD"), undefined, { state: "in_progress", description: "Building" }],
    [
      "succeeded with DEPLOY_URL",
      snapshot("SUCCEEDED", "COMPLETED", { url, masked: false }),
      undefined,
      { state: "success", description: "Deployed", environmentUrl: url },
    ],
    ["succeeded without one", snapshot("SUCCEEDED", "COMPLETED"), undefined, { state: "success", description: "Built; the build set no DEPLOY_URL" }],
    [
      "succeeded with a refused one",
      snapshot("SUCCEEDED", "COMPLETED", { problem: "bad" }),
      undefined,
      { state: "success", description: "Built; the build set no DEPLOY_URL" },
    ],
    [
      "failed, even with a DEPLOY_URL",
      snapshot("FAILED", "COMPLETED", { url, masked: false }),
      undefined,
      { state: "failure", description: "The build failed" },
    ],
    ["timed out", snapshot("TIMED_OUT", "COMPLETED"), undefined, { state: "failure", description: "The build timed out" }],
    [
      "CodeBuild's fault",
      snapshot("FAULT", "COMPLETED"),
      undefined,
      { state: "error", description: "CodeBuild reported a fault: running the build again usually helps" },
    ],
    ["cancelled", snapshot("STOPPED", "COMPLETED"), undefined, { state: "inactive", description: "Cancelled" }],
    ["superseded", snapshot("STOPPED", "COMPLETED"), NEWER, { state: "inactive", description: "Superseded by fedcba9" }],
  ])("%s", (_case, build, supersededBy, status) => {
    expect(deploymentStatusOf({ build, ...(supersededBy && { supersededBy }) })).toEqual(status);
  });
});
