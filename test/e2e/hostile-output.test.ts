import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp } from "../support/app.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

const GROUP = "/aws/codebuild/shared-builds";
const TOKEN = "gho_maintainer_token";
const SRC = "/codebuild/output/src1234567890/src/github.com/Codertocat/Hello-World";

/** Stored secrets of the repository, and how the build prints them to get past masking. */
const SPLIT = "hunter2-S3cret";
const SPACED = "p4ssw0rd ";
const PERCENT = "p@ss%word";
const OWN = "own-value-1234";
const SECRETS = [SPLIT, SPACED.trim(), PERCENT, "p@ss%25word", OWN];

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** Everything the app wrote to GitHub, served and stored: none of it may hold a secret. */
async function everythingWritten(site: CodeBuildTestApp, deploymentId: string): Promise<string> {
  const page = await (await fetch(`${site.app.url}/builds/${deploymentId}`)).text();
  const answers = await Promise.all(
    ["", "?format=plain", "?format=raw"].map(async (format) => (await fetch(`${site.app.url}/api/builds/${deploymentId}/logs${format}`)).text()),
  );
  const dynamodb = new DynamoDBClient({ endpoint: site.app.dynamo.endpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
  const table = await dynamodb.send(new ScanCommand({ TableName: "codebuild-checks" }));
  dynamodb.destroy();
  return [JSON.stringify(site.app.github.requests), page, ...answers, JSON.stringify(table.Items)].join("\n");
}

async function storeSecrets(site: CodeBuildTestApp, repository: string, secrets: Record<string, string>): Promise<void> {
  const put = await fetch(`${site.app.url}/api/repos/${repository}/env`, {
    method: "PUT",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ environment: "all", envVars: Object.entries(secrets).map(([key, value]) => ({ key, value, isSecret: true })) }),
  });
  expect(put.status).toBe(200);
}

async function startBuild(site: CodeBuildTestApp, sha: string) {
  await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha));
  await waitFor(() => [...site.codebuild.builds.values()].find((b) => b.sourceVersion?.includes(sha)), "StartBuild");
  const build = [...site.codebuild.builds.values()].find((b) => b.sourceVersion?.includes(sha))!;
  site.codebuild.update(build.id, { currentPhase: "BUILD", phases: [{ phaseType: "BUILD", startTime: build.startTime }] });
  const run = await waitFor(() => site.app.github.runsFor(sha)[0], "a check run");
  const stream = build.id.split(":")[1]!;
  return {
    build,
    run,
    append: (lines: string[]) =>
      site.logs.append(
        GROUP,
        stream,
        lines.map((line) => `${line}\n`),
      ),
  };
}

describe("build output is hostile: no escape, split, encoding or restart shows a secret, end to end", () => {
  const site = useCodeBuildTestApp({ GITHUB_CLIENT_ID: "Iv1.testclient", GITHUB_CLIENT_SECRET: "client-secret" }, { logGroup: GROUP });
  let repository: string;

  beforeEach(() => {
    const payload = pushPayload("0".repeat(40), { private: false });
    repository = payload.repository.full_name;
    site.app.github.repositories.set(repository, { id: payload.repository.id, private: false, installationId: 7 });
    site.app.github.userTokens.set(TOKEN, { login: "maintainer", id: 501 });
    site.app.github.permissions.set("maintainer", "admin");
  });

  test("split by escapes or NUL, spaced, %-escaped in an annotation, hidden by the build, quoted in a phase message: masked in the check run, the log page, the logs API and the table", async () => {
    await storeSecrets(site, repository, { SPLIT, SPACED, PERCENT });
    const sha = "1095e7ab1095e7ab1095e7ab1095e7ab1095e7ab";
    const { build, run, append } = await startBuild(site, sha);
    append([
      `[Container] 2026/11/25 14:20:02.641502 CODEBUILD_SRC_DIR=${SRC}`,
      `colour-split ${SPLIT.slice(0, 8)}\x1b[0m${SPLIT.slice(8)} end`,
      `nul-split ${SPLIT.slice(0, 8)}\x00${SPLIT.slice(8)} end`,
      `osc-split ${SPLIT.slice(0, 8)}\x1b]8;;https://x.test\x07${SPLIT.slice(8)} end`,
      `redrawn 0%\r${SPLIT}`,
      `spaced '${SPACED.trim()}' end`,
      `base64 ${base64(SPLIT)} end`,
      `::error file=src/app.ts,line=3,title=${PERCENT.replace("%", "%25")}::token p@ss%25word leaked`,
      `::add-mask::${OWN}`,
      `using ${OWN} and ${base64(OWN)}`,
    ]);
    await waitFor(() => run.output?.text?.includes("using ***"), "the masked excerpt");
    site.codebuild.update(build.id, {
      buildStatus: "FAILED",
      currentPhase: "COMPLETED",
      endTime: build.startTime + 30,
      phases: [
        {
          phaseType: "BUILD",
          phaseStatus: "FAILED",
          startTime: build.startTime,
          endTime: build.startTime + 30,
          durationInSeconds: 30,
          contexts: [
            { statusCode: "COMMAND_EXECUTION_ERROR", message: `Error while executing command: login ${SPLIT} ${SPACED.trim()} ${OWN}. Reason: exit status 1` },
          ],
        },
      ],
    });
    await waitFor(() => run.status === "completed", "completion", 20_000);

    expect(run.conclusion).toBe("failure");
    expect(run.output?.text).toContain("colour-split *** end");
    expect(run.output?.text).toContain("nul-split *** end");
    expect(run.output?.text).toContain("osc-split *** end");
    expect(run.output?.text).toContain("spaced '***' end");
    // Masked when CodeBuild reported it (kept so in the record), then escaped as markdown.
    expect(run.output?.summary).toContain("> Error while executing command\\: login \\*\\*\\* \\*\\*\\*");
    expect(run.output?.annotations).toEqual([expect.objectContaining({ path: "src/app.ts", start_line: 3, message: "token *** leaked", title: "***" })]);
    const written = await everythingWritten(site, deploymentIdOf(run));
    for (const secret of [...SECRETS, base64(SPLIT), base64(OWN)]) expect(written).not.toContain(secret);
  });

  test("a restart between ::add-mask:: and the value's use: the next process hides it from the first line it reads", async () => {
    const sha = "2095e7ab2095e7ab2095e7ab2095e7ab2095e7ab";
    const { build, run, append } = await startBuild(site, sha);
    append(["::add-mask::restart-value-99"]);
    await waitFor(() => run.output?.text?.includes("::add-mask::***"), "the ::add-mask:: line read");

    await site.app.restart();
    append(["after restart: restart-value-99", `and as Base64: ${base64("restart-value-99")}`]);
    site.codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: build.startTime + 30 });
    await waitFor(() => run.status === "completed", "completion after the restart", 20_000);

    expect(run.output?.text).toContain("after restart: ***");
    expect(run.output?.text).toContain("and as Base64: ***");
    const written = await everythingWritten(site, deploymentIdOf(run));
    expect(written).not.toContain("restart-value-99");
    expect(written).not.toContain(base64("restart-value-99"));
  });

  test("a flood of ::add-mask:: values: masking is full, the log and the check run say so, and the app keeps going", async () => {
    const sha = "3095e7ab3095e7ab3095e7ab3095e7ab3095e7ab";
    const { build, run, append } = await startBuild(site, sha);
    append(Array.from({ length: 150 }, (_, i) => `::add-mask::flood-value-${String(i).padStart(4, "0")}`));
    append(["flood-value-0001 is hidden", "flood-value-0149 is shown where printed"]);
    site.codebuild.update(build.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: build.startTime + 30 });
    await waitFor(() => run.status === "completed", "completion", 20_000);

    expect(run.output?.summary).toContain("Masking is full");
    expect(run.output?.text).toContain("*** is hidden");
    expect(run.output?.text).toContain("flood-value-0149 is shown where printed");
    const page = await (await fetch(`${site.app.url}/builds/${deploymentIdOf(run)}`)).text();
    expect(page).toContain("[codebuild-checks] Masking is full");
    expect(page).not.toContain("::add-mask::flood-value-0149");
  });

  test("a webhook body over GitHub's 25 MiB is refused before its signature is read; other routes take at most 1 MiB", async () => {
    const huge = await fetch(site.app.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-github-delivery": "too-big", "x-hub-signature-256": "sha256=00" },
      body: `{"pad":"${"x".repeat(25 * 1024 * 1024)}"}`,
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe("body_too_large");
    const api = await fetch(`${site.app.url}/api/repos/${repository}/env`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ environment: "all", envVars: [{ key: "BIG", value: "x".repeat(1024 * 1024), isSecret: false }] }),
    });
    expect(api.status).toBe(413);
    // The app goes on: a signed push still builds.
    const { run } = await startBuild(site, "4095e7ab4095e7ab4095e7ab4095e7ab4095e7ab");
    await waitFor(() => run.status === "in_progress", "the next build followed");
  });
});

function deploymentIdOf(run: { external_id?: string | null }): string {
  return String(run.external_id);
}
