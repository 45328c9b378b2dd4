import { startCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp } from "../support/app.js";
import { LOG_GRACE_MS } from "../../src/builds/watch/step.js";
import { World } from "../support/child-app.js";
import type { FakeBuild } from "../support/fake-codebuild.js";
import { pullRequestPayload, pushPayload, sendWebhook } from "../support/webhooks.js";

/**
 * Trust domains end to end (SPEC 1, 3): the real app over HTTP, configured only through its
 * environment, against the CodeBuild, CloudWatch Logs and Secrets Manager fakes.
 */
const REPO = "Codertocat/Hello-World";
const MAP = `other-org/payments=payments-build,${REPO}=hello-build|hello-large`;
const PREVIEW_ROLE = "arn:aws:iam::123456789012:role/{project}-preview";
const UNTRUSTED_ROLE = "arn:aws:iam::123456789012:role/{project}-untrusted";
const SOURCE_AUTH = "CODECONNECTIONS:arn:aws:codeconnections:us-east-1:123456789012:connection/abc";
const GROUP = "/aws/codebuild/builds";
const TOKEN = "gho_maintainer_token";
const SECRET_VALUE = "prod-database-password-7731";
const OAUTH = { GITHUB_CLIENT_ID: "Iv1.testclient", GITHUB_CLIENT_SECRET: "client-secret" };

const sha = (n: number) => String(n).repeat(40).slice(0, 40);

describe("trust domains, end to end over HTTP", () => {
  let site: CodeBuildTestApp;

  async function start(env: Record<string, string>) {
    site = await startCodeBuildTestApp({ CODEBUILD_PROJECTS: MAP, ...OAUTH, ...env }, { logGroup: GROUP });
    const repo = pushPayload(sha(1)).repository;
    site.app.github.repositories.set(REPO, { id: repo.id, private: false, installationId: 7 });
    site.app.github.userTokens.set(TOKEN, { login: "maintainer", id: 501 });
    site.app.github.permissions.set("maintainer", "write");
  }

  afterEach(() => site.stop());

  const startBuilds = () => site.codebuild.calls("StartBuild");

  async function storeVariables(environment: string, envVars: { key: string; value: string; isSecret: boolean }[]) {
    const response = await fetch(`${site.app.url}/api/repos/${REPO}/env`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ environment, envVars }),
    });
    expect(response.status).toBe(200);
  }

  const secretNamed = (key: string) => [...site.app.secretsManager.secrets.values()].find((s) => s.name.endsWith(`/${key}`))!;

  /** The build StartBuild made for a commit, once it exists. */
  const buildOf = (commit: string) =>
    waitFor(() => [...site.codebuild.builds.values()].find((b) => b.sourceVersion?.endsWith(`^{${commit}}`)), `the build of ${commit}`);

  /**
   * Ends a build as CodeBuild would, with these phases; as if it had ended a while ago, so that its
   * check run completes without waiting for late log lines (LOG_GRACE_MS).
   */
  function finish(build: FakeBuild, buildStatus: string, phases: FakeBuild["phases"] = [{ phaseType: "BUILD", phaseStatus: buildStatus }]) {
    const endTime = build.startTime - LOG_GRACE_MS / 1000;
    site.codebuild.update(build.id, { buildStatus, currentPhase: "COMPLETED", startTime: endTime - 30, endTime, phases });
  }

  const annotationMessage = (run: { output?: { annotations?: unknown[] } }) => (run.output?.annotations?.[0] as { message?: string } | undefined)?.message;

  const completedRun = (commit: string) =>
    waitFor(() => site.app.github.runsFor(commit).find((r) => r.status === "completed"), `the completed run of ${commit}`, 20_000);

  test("a repository that names another domain's project is refused before any StartBuild; its own projects build", async () => {
    await start({});
    site.app.github.file(REPO, sha(1), ".github/codebuild.yml", "log_lines: 20\nproject: payments-build\n");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(1)));
    const refused = await completedRun(sha(1));
    expect(refused).toMatchObject({ conclusion: "failure", output: { title: "Invalid .github/codebuild.yml" } });
    expect(refused.output?.summary).toContain("line 2: `project` `payments-build` is not one of this repository");
    expect(refused.output?.annotations).toEqual([expect.objectContaining({ path: ".github/codebuild.yml", start_line: 2, annotation_level: "failure" })]);
    expect(annotationMessage(refused)).toBe(
      'project "payments-build" is not one of this repository\'s projects: this repository may use only "hello-build" or "hello-large" (leave project out for "hello-build"). The app\'s operator decides which projects each repository may use (CODEBUILD_PROJECTS)',
    );
    expect(startBuilds()).toHaveLength(0);

    site.app.github.file(REPO, sha(2), ".github/codebuild.yml", "project: hello-large\n");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(2)));
    const build = await buildOf(sha(2));
    expect(build.projectName).toBe("hello-large");
    finish(build, "SUCCEEDED");
    expect((await completedRun(sha(2))).conclusion).toBe("success");
    expect(startBuilds()).toHaveLength(1);
  });

  test("a pull request builds with the preview role of its project; a push to the default branch with the project's own role", async () => {
    await start({ CODEBUILD_PREVIEW_ROLE: PREVIEW_ROLE, CODEBUILD_SOURCE_AUTH: SOURCE_AUTH });
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", sha(3)));
    await buildOf(sha(3));
    const [pull] = startBuilds();
    expect(pull).toMatchObject({ projectName: "hello-build", serviceRoleOverride: "arn:aws:iam::123456789012:role/hello-build-preview" });
    expect(pull!.sourceAuthOverride).toEqual({ type: "CODECONNECTIONS", resource: SOURCE_AUTH.slice("CODECONNECTIONS:".length) });

    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(4)));
    const build = await buildOf(sha(4));
    const push = startBuilds()[1]!;
    expect(push.projectName).toBe("hello-build");
    expect(push).not.toHaveProperty("serviceRoleOverride");
    expect(push).not.toHaveProperty("cacheOverride");
    finish(build, "SUCCEEDED");
    expect((await completedRun(sha(4))).conclusion).toBe("success");
  });

  test("a bot's push to a branch builds untrusted: its role, no secrets, no cache, no source credentials, and no mask of stored secrets", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: UNTRUSTED_ROLE, CODEBUILD_SOURCE_AUTH: SOURCE_AUTH });
    await storeVariables("all", [
      { key: "DB_PASSWORD", value: SECRET_VALUE, isSecret: true },
      { key: "PLAIN", value: "plain-value", isSecret: false },
    ]);
    const payload = pushPayload(sha(5), { ref: "refs/heads/renovate/lodash-4.x" });
    payload.sender = { ...payload.sender, login: "renovate[bot]", type: "Bot" };
    site.app.github.file(REPO, sha(5), ".github/codebuild.yml", "on:\n  push:\n    branches: ['**']\n");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", payload);
    const build = await buildOf(sha(5));
    const [input] = startBuilds();
    expect(input).toMatchObject({ serviceRoleOverride: "arn:aws:iam::123456789012:role/hello-build-untrusted", cacheOverride: { type: "NO_CACHE" } });
    expect(input).not.toHaveProperty("sourceAuthOverride");
    const variables = input!.environmentVariablesOverride as { name: string; type: string }[];
    expect(variables.map((v) => v.name)).toContain("PLAIN");
    expect(variables.map((v) => v.name)).not.toContain("DB_PASSWORD");
    expect(variables.every((v) => v.type === "PLAINTEXT")).toBe(true);

    // Its code prints a guess of a stored secret: were it masked, the build would learn the guess was right.
    site.logs.append(GROUP, build.id.split(":")[1]!, [`guess ${SECRET_VALUE}\n`, "::add-mask::its-own-value-99\n", "printing its-own-value-99\n"]);
    finish(build, "SUCCEEDED");
    const run = await completedRun(sha(5));
    expect(run.conclusion).toBe("success");
    expect(run.output?.text).toContain(`guess ${SECRET_VALUE}`);
    expect(run.output?.text).toContain("printing ***");
    const logs = (await (await fetch(`${site.app.url}/api/builds/${run.external_id}/logs`)).json()) as { logs: { message: string }[] };
    expect(logs.logs.map((l) => l.message)).toEqual(expect.arrayContaining([`guess ${SECRET_VALUE}`, "printing ***"]));
  });

  test("a trusted build's log is masked with the repository's stored secrets", async () => {
    await start({});
    await storeVariables("production", [{ key: "DB_PASSWORD", value: SECRET_VALUE, isSecret: true }]);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(6)));
    const build = await buildOf(sha(6));
    site.logs.append(GROUP, build.id.split(":")[1]!, [`printing ${SECRET_VALUE}\n`]);
    finish(build, "SUCCEEDED");
    const run = await completedRun(sha(6));
    expect(run.output?.text).toContain("printing ***");
    expect(run.output?.text).not.toContain(SECRET_VALUE);
  });

  test("a fork's pull request CodeBuild cannot fetch completes failure, saying why", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: UNTRUSTED_ROLE, CODEBUILD_SOURCE_AUTH: SOURCE_AUTH });
    const payload = pullRequestPayload("opened", sha(7), { fork: true });
    site.app.github.permissions.set(payload.pull_request.user.login, "write");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const build = await buildOf(sha(7));
    expect(startBuilds()[0]).not.toHaveProperty("sourceAuthOverride");
    finish(build, "FAILED", [
      { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED" },
      { phaseType: "PROVISIONING", phaseStatus: "SUCCEEDED" },
      {
        phaseType: "DOWNLOAD_SOURCE",
        phaseStatus: "CLIENT_ERROR",
        contexts: [{ statusCode: "CLIENT_ERROR", message: "Failed to get access token from connection" }],
      },
    ]);
    const run = await completedRun(sha(7));
    expect(run.conclusion).toBe("failure");
    expect(run.output?.title).toMatch(/^Build failed in DOWNLOAD_SOURCE/);
    expect(run.output?.summary).toContain("CodeBuild could not fetch the source. This build is of untrusted code");
    expect(run.output?.summary).toContain("aws codebuild import-source-credentials");
  });

  test("a fork's pull request whose StartBuild CodeBuild refuses completes failure, saying why", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: UNTRUSTED_ROLE });
    const payload = pullRequestPayload("opened", sha(8), { fork: true });
    site.app.github.permissions.set(payload.pull_request.user.login, "write");
    site.codebuild.failNext.set("StartBuild", [{ status: 400, type: "InvalidInputException", message: "The role is not authorized to use the connection" }]);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", payload);
    const run = await completedRun(sha(8));
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "CodeBuild refused the build" } });
    expect(run.output?.summary).toContain("CodeBuild refused the build request (`InvalidInputException: The role is not authorized to use the connection`)");
    expect(run.output?.summary).toContain("This build is of untrusted code");
  });

  test("secrets are tagged for the domain of the repository's rule, not the file's project, and follow the map when it changes", async () => {
    await start({});
    await storeVariables("production", [{ key: "DB_PASSWORD", value: SECRET_VALUE, isSecret: true }]);
    await storeVariables("preview", [{ key: "PREVIEW_TOKEN", value: "preview-token-1234", isSecret: true }]);
    const projectTag = (key: string) => secretNamed(key).tags["codebuild-checks:project"];
    expect([projectTag("DB_PASSWORD"), projectTag("PREVIEW_TOKEN")]).toEqual(["hello-build", "hello-build"]);
    expect(secretNamed("DB_PASSWORD").tags).toEqual({
      "codebuild-checks:repository-id": String(pushPayload(sha(1)).repository.id),
      "codebuild-checks:environment": "production",
      "codebuild-checks:project": "hello-build",
    });

    site.app.github.file(REPO, sha(8), ".github/codebuild.yml", "project: hello-large\n");
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("opened", sha(8)));
    expect((await buildOf(sha(8))).projectName).toBe("hello-large");
    expect([projectTag("DB_PASSWORD"), projectTag("PREVIEW_TOKEN")]).toEqual(["hello-build", "hello-build"]);

    // The operator gives the repository a domain of its own: its next build re-tags every secret of it.
    await site.app.restart({ CODEBUILD_PROJECTS: `${REPO}=hello-isolated` });
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "pull_request", pullRequestPayload("synchronize", sha(9)));
    expect((await buildOf(sha(9))).projectName).toBe("hello-isolated");
    expect([projectTag("DB_PASSWORD"), projectTag("PREVIEW_TOKEN")]).toEqual(["hello-isolated", "hello-isolated"]);

    // ... and so does its next change of stored variables.
    await site.app.restart({ CODEBUILD_PROJECTS: `${REPO}=hello-third` });
    await storeVariables("all", [{ key: "PLAIN", value: "p", isSecret: false }]);
    expect([projectTag("DB_PASSWORD"), projectTag("PREVIEW_TOKEN")]).toEqual(["hello-third", "hello-third"]);
  });

  describe("_extends", () => {
    const ORG = "Codertocat/.github";
    const PRIVATE_BASE = "Codertocat/ci-private";

    beforeEach(async () => {
      await start({ CONFIG_EXTENDS_ALLOWED: "Codertocat/ci-*" });
      site.app.github.repositories.set(ORG, { id: 9001, private: false, installationId: 7 });
      site.app.github.repositories.set(PRIVATE_BASE, { id: 9002, private: true, installationId: 7 });
      site.app.github.file(ORG, "HEAD", ".github/codebuild.yml", "env:\n  ORG_LEVEL: org\n  SHARED: base\n");
      site.app.github.file(PRIVATE_BASE, "HEAD", ".github/codebuild.yml", "check_name: Internal-Only\nenv:\n  INTERNAL_HOST: build.corp.example\n");
    });

    test("the repository's env adds to and overrides the extended env", async () => {
      site.app.github.file(REPO, sha(1), ".github/codebuild.yml", "_extends: .github\nenv:\n  SHARED: own\n  MINE: mine\n");
      await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(1)));
      const build = await buildOf(sha(1));
      const variables = Object.fromEntries((startBuilds()[0]!.environmentVariablesOverride as { name: string; value: string }[]).map((v) => [v.name, v.value]));
      expect(variables).toMatchObject({ ORG_LEVEL: "org", SHARED: "own", MINE: "mine" });
      finish(build, "SUCCEEDED");
      expect((await completedRun(sha(1))).conclusion).toBe("success");
    });

    test.each([
      [
        "a private repository the operator allows",
        `_extends: ci-private\n`,
        '"Codertocat/ci-private:.github/codebuild.yml" is in a private repository and this repository is public',
      ],
      [
        "a repository the operator does not allow",
        `_extends: someone/config\n`,
        '_extends names "someone/config:.github/codebuild.yml": a configuration may extend only',
      ],
    ])("a public repository extending %s is refused on the _extends line, and nothing of the base shows", async (_name, file, message) => {
      site.app.github.file(REPO, sha(2), ".github/codebuild.yml", `log_lines: 10\n${file}`);
      await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(2)));
      const run = await completedRun(sha(2));
      expect(run).toMatchObject({ conclusion: "failure", name: "CodeBuild", output: { title: "Invalid .github/codebuild.yml" } });
      expect(run.output?.annotations).toEqual([expect.objectContaining({ start_line: 2 })]);
      expect(annotationMessage(run)).toContain(message);
      expect(JSON.stringify(site.app.github.requests)).not.toMatch(/Internal-Only|build\.corp\.example/);
      expect(startBuilds()).toHaveLength(0);
    });
  });
});

describe("start-up lines that say who can read which secrets", () => {
  let world: World;

  beforeEach(async () => {
    world = await World.start();
  });

  afterEach(() => world.stop());

  test("one line per shared domain, and one while preview builds can read production secrets", async () => {
    const mapped = await world.startApp({ CODEBUILD_PROJECTS: "acme/web=web-build|web-large,acme/api-*=api-build", LOG_LEVEL: "info" });
    // The process's output reaches this one through a pipe: the start-up lines may still be on their way.
    await waitFor(() => mapped.output.includes("Listening on"), "the start-up lines");
    const lines = mapped.output.split("\n");
    const said = (text: string) => lines.filter((line) => line.includes(text));
    expect(said("repositories acme/api-* share the trust domain of project api-build: each can read the others' secrets")).toHaveLength(1);
    expect(
      said("every repository CODEBUILD_PROJECTS does not map shares the trust domain of project shared-builds: each can read the others' secrets"),
    ).toHaveLength(1);
    expect(said("preview builds can read production secrets: set CODEBUILD_PREVIEW_ROLE")).toHaveLength(1);
    expect(said("acme/web")).toEqual([]);
    await mapped.kill("SIGTERM");

    const unmapped = await world.startApp({ CODEBUILD_PREVIEW_ROLE: PREVIEW_ROLE, LOG_LEVEL: "info" });
    await waitFor(() => unmapped.output.includes("Listening on"), "the start-up lines");
    expect(unmapped.output).toContain("all repositories share one trust domain, that of project shared-builds: each can read the others' secrets");
    expect(unmapped.output).not.toContain("preview builds can read production secrets");
  });
});
