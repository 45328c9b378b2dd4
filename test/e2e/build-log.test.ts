import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

const SHA = "1095e7ab1095e7ab1095e7ab1095e7ab1095e7ab";
const GROUP = "/aws/codebuild/shared-builds";
const SRC = "/codebuild/output/src1234567890/src/github.com/Codertocat/Hello-World";
const TOKEN = "gho_maintainer_token";
const SECRET_VALUE = "npm_Sup3rS3cretT0ken";

describe("live build progress in the check run, end to end", () => {
  const site = useCodeBuildTestApp({ GITHUB_CLIENT_ID: "Iv1.testclient", GITHUB_CLIENT_SECRET: "client-secret" }, { logGroup: GROUP });
  let payload: Record<string, any>;

  beforeEach(() => {
    payload = pushPayload(SHA, { message: "Break the types" });
    site.app.github.repositories.set(payload.repository.full_name, { id: payload.repository.id, private: true, installationId: 7 });
    site.app.github.userTokens.set(TOKEN, { login: "maintainer", id: 501 });
    site.app.github.permissions.set("maintainer", "admin");
  });

  test("the check run shows the latest masked log lines while building and ends with the failing lines and annotations", async () => {
    const put = await fetch(`${site.app.url}/api/repos/${payload.repository.full_name}/env`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ environment: "all", envVars: [{ key: "NPM_TOKEN", value: SECRET_VALUE, isSecret: true }] }),
    });
    expect(put.status).toBe(200);

    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", payload);
    await waitFor(() => site.codebuild.builds.size > 0, "StartBuild");
    const [build] = [...site.codebuild.builds.values()];
    const stream = build!.id.split(":")[1]!;
    const t0 = build!.startTime;
    site.codebuild.update(build!.id, { currentPhase: "BUILD", phases: [{ phaseType: "BUILD", startTime: t0 }] });
    site.logs.append(GROUP, stream, [
      `[Container] 2026/11/25 14:20:02.641502 CODEBUILD_SRC_DIR=${SRC}\n`,
      "[Container] 2026/11/25 14:20:03 Running command npm run typecheck\n",
      `token is ${SECRET_VALUE}\n`,
      "::add-mask::my-own-value-42\n",
      "using my-own-value-42 now\n",
    ]);
    const run = await waitFor(() => site.app.github.runsFor(SHA)[0], "a check run");
    await waitFor(() => run.output?.text?.includes("Running command npm run typecheck"), "the log excerpt");
    expect(run.status).toBe("in_progress");
    expect(run.output?.title).toBe("Building — BUILD phase");

    site.logs.append(GROUP, stream, [
      `${SRC}/src/app/page.tsx(12,5): error TS2322: Type 'string' is not assignable to type 'number'.\n`,
      "[Container] 2026/11/25 14:20:09 Command did not exit successfully npm run typecheck exit status 2\n",
    ]);
    site.codebuild.update(build!.id, {
      buildStatus: "FAILED",
      currentPhase: "COMPLETED",
      endTime: t0 + 30,
      phases: [
        {
          phaseType: "BUILD",
          phaseStatus: "FAILED",
          startTime: t0,
          endTime: t0 + 30,
          durationInSeconds: 30,
          contexts: [{ statusCode: "COMMAND_EXECUTION_ERROR", message: "Error while executing command: npm run typecheck. Reason: exit status 2" }],
        },
      ],
    });
    await waitFor(() => run.status === "completed", "completion", 20_000);
    expect(run.conclusion).toBe("failure");
    expect(run.output?.text).toContain("exit status 2");
    expect(run.output?.text).toContain("error TS2322");
    expect(run.output?.summary).toContain("`NPM_TOKEN` (secret)");
    expect(run.output?.annotations).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "src/app/page.tsx", start_line: 12, annotation_level: "failure" })]),
    );

    const everything = JSON.stringify([...site.app.github.requests]);
    expect(everything).not.toContain(SECRET_VALUE);
    expect(everything).not.toContain("my-own-value-42");
    expect(run.output?.text).toContain("token is ***");
    expect(site.logs.bytesReturned).toBe(site.logs.bytesWritten);
  });
});
