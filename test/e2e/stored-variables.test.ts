import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { FakeCodeBuild } from "../support/fake-codebuild.js";
import { startTestApp, waitFor, WEBHOOK_SECRET, type TestApp } from "../support/app.js";
import { examplePayload, sendWebhook } from "../support/webhooks.js";

const HEAD = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7";
const TOKEN = "gho_maintainer_token";
const SECRET_VALUE = "s3cr3t-value-that-must-never-leak";

describe("stored variables and secrets, end to end over HTTP", () => {
  let codebuild: FakeCodeBuild;
  let app: TestApp;
  let payload: Record<string, any>;
  let envUrl: string;

  async function start(env: Record<string, string> = {}) {
    codebuild = new FakeCodeBuild();
    app = await startTestApp({
      AWS_ENDPOINT_URL_CODEBUILD: await codebuild.start(),
      CODEBUILD_PROJECT: "shared-builds",
      GITHUB_CLIENT_ID: "Iv1.testclient",
      GITHUB_CLIENT_SECRET: "client-secret",
      ...env,
    });
    payload = examplePayload("pull_request", (p) => p.action === "opened");
    payload.installation = { id: 7 };
    payload.pull_request.head.sha = HEAD;
    const repo = payload.repository;
    app.github.repositories.set(repo.full_name, { id: repo.id, private: true, installationId: 7 });
    app.github.userTokens.set(TOKEN, { login: "maintainer", id: 501 });
    app.github.permissions.set("maintainer", "write");
    envUrl = `${app.url}/api/repos/${repo.full_name}/env`;
  }

  afterEach(async () => {
    try {
      await app.stop();
    } finally {
      await codebuild.stop();
    }
  });

  const put = (body: unknown, token = TOKEN) =>
    fetch(envUrl, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

  test("variables PUT over the API reach the pull request's StartBuild with SPEC 3's types and precedence", async () => {
    await start();
    const repo = payload.repository.full_name as string;
    app.github.file(repo, HEAD, ".github/codebuild.yml", "env:\n  API_URL: from-file\n  SITE: file-site\n");

    const response = await put({
      environment: "preview",
      envVars: [
        { key: "API_URL", value: "https://staging.example.com", isSecret: false },
        { key: "NPM_TOKEN", value: SECRET_VALUE, isSecret: true },
      ],
    });
    expect(response.status).toBe(200);
    const answer = await response.text();
    expect(answer).not.toContain(SECRET_VALUE);
    expect(JSON.parse(answer).envVars).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "API_URL", value: "https://staging.example.com", isSecret: false, environment: "preview", updatedBy: "maintainer" }),
        expect.objectContaining({ key: "NPM_TOKEN", value: "***", isSecret: true, environment: "preview" }),
      ]),
    );

    const secret = [...app.secretsManager.secrets.values()].find((s) => s.name.endsWith("/NPM_TOKEN"))!;
    expect(secret.name).toBe(`codebuild-checks/${payload.repository.id}/preview/NPM_TOKEN`);
    const items = await app.dynamo.client.send(new ScanCommand({ TableName: "codebuild-checks" }));
    expect(JSON.stringify(items.Items)).not.toContain(SECRET_VALUE);

    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    const vars = input!.environmentVariablesOverride as { name: string; value: string; type: string }[];
    expect(vars).toEqual(
      expect.arrayContaining([
        { name: "API_URL", value: "https://staging.example.com", type: "PLAINTEXT" },
        { name: "SITE", value: "file-site", type: "PLAINTEXT" },
        { name: "NPM_TOKEN", value: secret.arn, type: "SECRETS_MANAGER" },
      ]),
    );
    expect(JSON.stringify(input)).not.toContain(SECRET_VALUE);
    expect(secret.tags).toEqual({
      "codebuild-checks:repository-id": String(payload.repository.id),
      "codebuild-checks:environment": "preview",
      "codebuild-checks:project": "shared-builds",
    });
  });

  test("an untrusted (bot) pull request gets stored plain variables but no secrets", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: "arn:aws:iam::123456789012:role/untrusted" });
    const stored = await put({
      environment: "all",
      envVars: [
        { key: "NPM_TOKEN", value: SECRET_VALUE, isSecret: true },
        { key: "PLAIN", value: "p", isSecret: false },
      ],
    });
    expect(stored.status).toBe(200);
    payload.pull_request.user = { ...payload.pull_request.user, login: "dependabot[bot]", type: "Bot" };
    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    const vars = input!.environmentVariablesOverride as { name: string; type: string }[];
    expect(vars.map((v) => v.name)).toContain("PLAIN");
    expect(vars.map((v) => v.name)).not.toContain("NPM_TOKEN");
    expect(vars.every((v) => v.type === "PLAINTEXT")).toBe(true);
  });

  test("the API answers 401 without a token, 403 to a reader's PUT and 400 naming a bad field", async () => {
    await start();
    expect((await fetch(envUrl)).status).toBe(401);
    app.github.userTokens.set("gho_reader", { login: "reader", id: 502 });
    app.github.permissions.set("reader", "read");
    expect((await put({ environment: "preview", envVars: [] }, "gho_reader")).status).toBe(403);
    const bad = await put({ environment: "preview", envVars: [{ key: "bad-name", value: "x", isSecret: false }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.issues[0].path).toEqual(["envVars", 0, "key"]);
  });

  test("the seed plan's routes answer exactly as their twins: /api/projects/:repositoryId/env and /api/deployments/:id/logs", async () => {
    await start();
    const repositoryId = payload.repository.id as number;
    const byId = `${app.url}/api/projects/${repositoryId}/env`;
    const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const stored = await fetch(byId, {
      method: "PUT",
      headers,
      body: JSON.stringify({
        environment: "preview",
        envVars: [
          { key: "FROM_SEED_CLIENT", value: "yes", isSecret: false },
          { key: "SEED_SECRET", value: SECRET_VALUE, isSecret: true },
        ],
      }),
    });
    expect(stored.status).toBe(200);
    const answer = await stored.text();
    expect(answer).not.toContain(SECRET_VALUE);
    for (const query of ["", "?environment=preview", "?environment=nowhere"]) {
      const [named, numbered] = await Promise.all([fetch(`${envUrl}${query}`, { headers }), fetch(`${byId}${query}`, { headers })]);
      expect(numbered.status).toBe(named.status);
      expect(await numbered.text()).toBe(await named.text());
    }
    expect(JSON.parse(answer)).toEqual(await (await fetch(`${envUrl}?environment=preview`, { headers })).json());
    expect((await fetch(byId)).status).toBe(401);

    await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    const vars = input!.environmentVariablesOverride as { name: string; value: string }[];
    expect(vars.find((v) => v.name === "FROM_SEED_CLIENT")?.value).toBe("yes");
    const deploymentId = vars.find((v) => v.name === "DEPLOYMENT_ID")!.value;
    await waitFor(
      async () => (await app.dynamo.client.send(new ScanCommand({ TableName: "codebuild-checks" }))).Items?.some((i) => i.pk?.S === `BUILD#${deploymentId}`),
      "the build's record",
    );
    for (const auth of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const [build, deployment] = await Promise.all([
        fetch(`${app.url}/api/builds/${deploymentId}/logs`, { headers: auth }),
        fetch(`${app.url}/api/deployments/${deploymentId}/logs`, { headers: auth }),
      ]);
      expect(deployment.status).toBe(build.status);
      expect(await deployment.text()).toBe(await build.text());
    }
  });

  test("/healthz answers 200 while the table is reachable and 503 when it is not", async () => {
    await start();
    const ok = await fetch(`${app.url}/healthz`);
    expect([ok.status, await ok.json()]).toEqual([200, { status: "ok" }]);
    await app.dynamo.stop();
    const down = await fetch(`${app.url}/healthz`);
    expect(down.status).toBe(503);
  });
});
