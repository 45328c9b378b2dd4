import type { BuildPlan, RepositoryRef } from "../../src/domain/trigger.js";
import { identityVariables } from "../../src/variables/identity.js";
import { mergeVariables } from "../../src/variables/merge.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/schema.js";

const repository: RepositoryRef = {
  id: 42,
  owner: "octo",
  name: "app",
  fullName: "octo/app",
  defaultBranch: "main",
  private: false,
  cloneUrl: "https://github.com/octo/app.git",
};

const sha = "a".repeat(40);

test.each<[string, BuildPlan, Record<string, string>]>([
  [
    "a push to the default branch",
    { sha, sourceVersion: `refs/heads/main^{${sha}}`, environment: "production", branch: "main", trusted: true },
    {
      PROJECT_ID: "octo/app",
      REPO_URL: "https://github.com/octo/app.git",
      COMMIT_SHA: sha,
      BRANCH: "main",
      ENVIRONMENT: "production",
      DEPLOYMENT_ID: "dep-1",
    },
  ],
  [
    "a tag",
    { sha, sourceVersion: `refs/tags/v1.0^{${sha}}`, environment: "production", branch: "v1.0", trusted: true },
    {
      PROJECT_ID: "octo/app",
      REPO_URL: "https://github.com/octo/app.git",
      COMMIT_SHA: sha,
      BRANCH: "v1.0",
      ENVIRONMENT: "production",
      DEPLOYMENT_ID: "dep-1",
    },
  ],
  [
    "a pull request",
    {
      sha,
      sourceVersion: `refs/pull/7/head^{${sha}}`,
      environment: "preview",
      branch: "feature/x",
      baseBranch: "main",
      pullRequestNumber: 7,
      trusted: false,
    },
    {
      PROJECT_ID: "octo/app",
      REPO_URL: "https://github.com/octo/app.git",
      COMMIT_SHA: sha,
      BRANCH: "feature/x",
      BASE_BRANCH: "main",
      PR_NUMBER: "7",
      ENVIRONMENT: "preview",
      DEPLOYMENT_ID: "dep-1",
    },
  ],
])("%s", (_, plan, expected) => {
  expect(identityVariables({ repository, plan, deploymentId: "dep-1" })).toEqual(expected);
});

test("identity variables go through the merge unrefused, as the identity layer", () => {
  const plan: BuildPlan = { sha, sourceVersion: "", environment: "preview", branch: "b", baseBranch: "main", pullRequestNumber: 1, trusted: true };
  const result = mergeVariables({
    config: DEFAULT_REPO_CONFIG,
    environment: "preview",
    stored: [],
    identity: identityVariables({ repository, plan, deploymentId: "dep-1" }),
    trusted: true,
  });
  expect(result.ok && result.variables.filter((v) => v.source === "identity").map((v) => v.name)).toEqual([
    "BASE_BRANCH",
    "BRANCH",
    "COMMIT_SHA",
    "DEPLOYMENT_ID",
    "ENVIRONMENT",
    "PROJECT_ID",
    "PR_NUMBER",
    "REPO_URL",
  ]);
});
