import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand } from "@aws-sdk/client-codebuild";
import { mockClient } from "aws-sdk-client-mock";
import { CodeBuildRunner, toStartBuildInput } from "../../src/adapters/aws/codebuild.js";
import type { StartBuildRequest } from "../../src/domain/build.js";

const request: StartBuildRequest = {
  projectName: "builds",
  sourceVersion: "refs/pull/7/head^{abc}",
  sourceType: "GITHUB",
  sourceLocation: "https://github.com/acme/web.git",
  variables: [
    { name: "API_URL", value: "https://api", type: "PLAINTEXT", source: "file" },
    { name: "TOKEN", value: "codebuild-checks/1/all/TOKEN", type: "SECRETS_MANAGER", source: "secret" },
  ],
  idempotencyToken: "d1",
  installationId: 7,
  repositoryId: 102,
  noCache: false,
};

describe("StartBuild input", () => {
  test("a trusted build: overrides as SPEC 4, no role or cache override", () => {
    expect(toStartBuildInput({ ...request, buildspec: "ci/buildspec.yml", timeoutMinutes: 30 })).toEqual({
      projectName: "builds",
      sourceVersion: "refs/pull/7/head^{abc}",
      sourceTypeOverride: "GITHUB",
      sourceLocationOverride: "https://github.com/acme/web.git",
      reportBuildStatusOverride: false,
      idempotencyToken: "d1",
      buildspecOverride: "ci/buildspec.yml",
      timeoutInMinutesOverride: 30,
      environmentVariablesOverride: [
        { name: "API_URL", value: "https://api", type: "PLAINTEXT" },
        { name: "TOKEN", value: "codebuild-checks/1/all/TOKEN", type: "SECRETS_MANAGER" },
      ],
    });
  });

  test("an untrusted build runs with the untrusted role and no cache", () => {
    const input = toStartBuildInput({ ...request, noCache: true, serviceRole: "arn:aws:iam::1:role/u" });
    expect(input.serviceRoleOverride).toBe("arn:aws:iam::1:role/u");
    expect(input.cacheOverride).toEqual({ type: "NO_CACHE" });
  });

  test("source auth is passed as sourceAuthOverride", () => {
    const input = toStartBuildInput({ ...request, sourceAuth: { type: "CODECONNECTIONS", resource: "arn:aws:codeconnections:x" } });
    expect(input.sourceAuthOverride).toEqual({ type: "CODECONNECTIONS", resource: "arn:aws:codeconnections:x" });
  });
});

describe("CodeBuildRunner", () => {
  const cb = mockClient(CodeBuildClient);
  const runner = new CodeBuildRunner(new CodeBuildClient({ region: "us-east-1" }));
  afterEach(() => cb.reset());

  test("BatchGetBuilds is called with at most 100 ids", async () => {
    cb.on(BatchGetBuildsCommand).callsFake((input: { ids: string[] }) => ({
      builds: input.ids.map((id) => ({ id, buildStatus: "IN_PROGRESS", currentPhase: "BUILD", phases: [] })),
    }));
    const ids = Array.from({ length: 250 }, (_, i) => `p:${i}`);
    const snapshots = await runner.get(ids);
    expect(snapshots).toHaveLength(250);
    expect(cb.commandCalls(BatchGetBuildsCommand).map((c) => c.args[0].input.ids?.length)).toEqual([100, 100, 50]);
  });

  test("phases carry their status, duration and CodeBuild's messages", async () => {
    cb.on(BatchGetBuildsCommand).resolves({
      builds: [
        {
          id: "p:1",
          buildStatus: "FAILED",
          phases: [{ phaseType: "BUILD", phaseStatus: "FAILED", durationInSeconds: 9, contexts: [{ statusCode: "X", message: "exit status 2" }] }],
          logs: { groupName: "/aws/codebuild/p", streamName: "1" },
        },
      ],
    });
    const [build] = await runner.get(["p:1"]);
    expect(build).toMatchObject({ status: "FAILED", phases: [{ name: "BUILD", status: "FAILED", durationSeconds: 9, messages: ["exit status 2"] }] });
    expect(build!.logs).toMatchObject({ groupName: "/aws/codebuild/p", streamName: "1", s3Only: false });
  });

  test("exported variables are reported as CodeBuild gives them at the build's end; a build without any has none", async () => {
    cb.on(BatchGetBuildsCommand).resolves({
      builds: [
        {
          id: "p:1",
          buildStatus: "SUCCEEDED",
          phases: [],
          exportedEnvironmentVariables: [{ name: "DEPLOY_URL", value: "https://pr-1.example.com" }, { name: "EMPTY" }],
        },
        { id: "p:2", buildStatus: "IN_PROGRESS", phases: [] },
      ],
    });
    const [ended, running] = await runner.get(["p:1", "p:2"]);
    expect(ended!.exportedVariables).toEqual([
      { name: "DEPLOY_URL", value: "https://pr-1.example.com" },
      { name: "EMPTY", value: "" },
    ]);
    expect(running!.exportedVariables).toBeUndefined();
  });

  test("a refusal reaches the caller as CodeBuild threw it, to be put in words with every start-path error", async () => {
    const refusal = Object.assign(new Error("Project cannot be found"), { name: "ResourceNotFoundException" });
    cb.on(StartBuildCommand).rejects(refusal);
    await expect(runner.start(request)).rejects.toBe(refusal);
  });
});
