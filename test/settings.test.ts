import { availableParallelism } from "node:os";
import { parseSettings, SettingsError } from "../src/settings.js";

const aws = { AWS_REGION: "eu-west-1", CODEBUILD_PROJECT: "builds" };

describe("parseSettings", () => {
  test("defaults follow SPEC 1", () => {
    const s = parseSettings(aws);
    expect(s).toMatchObject({
      port: 3000,
      webhookPath: "/api/github/webhooks",
      githubApiUrl: "https://api.github.com",
      awsMode: true,
      store: "dynamodb",
      runner: "codebuild",
      tableName: "codebuild-checks",
      tableAutoCreate: false,
      secretsPrefix: "codebuild-checks/",
      publicUrl: "http://localhost:3000",
      pollIntervalMs: 5000,
      checkUpdateIntervalMs: 10000,
      logsRps: 5,
      githubWritesPerMinute: 60,
      codebuild: { defaultProject: "builds", projectMap: [] },
      trustedBots: [],
      configExtendsAllowed: [],
    });
    expect(s.allowedOwners).toBeUndefined();
    expect(s.githubWritesPerHour).toBe(500);
  });

  test("GitHub's 500 content creations an hour cap an installation on GitHub.com only; an operator's value wins", () => {
    expect(parseSettings({ ...aws, GHE_HOST: "github.example.com" }).githubWritesPerHour).toBeUndefined();
    expect(parseSettings({ ...aws, GHE_HOST: "github.example.com", GITHUB_WRITES_PER_HOUR: "2000" }).githubWritesPerHour).toBe(2000);
    expect(parseSettings({ ...aws, GITHUB_WRITES_PER_HOUR: "100" }).githubWritesPerHour).toBe(100);
  });

  test("without AWS settings the app is embedded with the local runner", () => {
    expect(parseSettings({})).toMatchObject({ awsMode: false, store: "embedded", runner: "local", tableAutoCreate: true });
  });

  test("local builds are sandboxed with bubblewrap, as many at once as the machine has CPUs, unless said otherwise", () => {
    expect(parseSettings({}).local).toEqual({ isolation: "bubblewrap", concurrency: availableParallelism(), privateKeyPath: undefined });
    expect(parseSettings({ LOCAL_ISOLATION: "none", LOCAL_CONCURRENCY: "3", PRIVATE_KEY_PATH: "keys/app.pem" }).local).toEqual({
      isolation: "none",
      concurrency: 3,
      privateKeyPath: "keys/app.pem",
    });
  });

  test("GitHub Enterprise URLs come from GHE_PROTOCOL and GHE_HOST", () => {
    const s = parseSettings({ ...aws, GHE_HOST: "127.0.0.1:8080", GHE_PROTOCOL: "http" });
    expect(s.githubApiUrl).toBe("http://127.0.0.1:8080/api/v3");
    expect(s.githubWebUrl).toBe("http://127.0.0.1:8080");
    expect(s.enterprise).toBe(true);
  });

  test("lists and source auth are parsed", () => {
    const s = parseSettings({
      ...aws,
      CODEBUILD_PROJECTS: "acme/web=web-build|web-large, acme/api-*=api-build",
      ALLOWED_OWNERS: "acme,octo-org",
      TRUSTED_BOTS: "Renovate[bot], acme-release[bot]",
      CONFIG_EXTENDS_ALLOWED: "acme/ci-config, shared/*",
      CODEBUILD_PREVIEW_ROLE: "arn:aws:iam::123456789012:role/{project}-preview",
      CODEBUILD_SOURCE_AUTH: "CODECONNECTIONS:arn:aws:codeconnections:eu-west-1:123456789012:connection/abc",
      CODEBUILD_UNTRUSTED_ROLE: "arn:aws:iam::123456789012:role/untrusted-builds",
    });
    expect(s.codebuild.projectMap).toEqual([
      { repositories: "acme/web", projects: ["web-build", "web-large"] },
      { repositories: "acme/api-*", projects: ["api-build"] },
    ]);
    expect(s.trustedBots).toEqual(["renovate[bot]", "acme-release[bot]"]);
    expect(s.configExtendsAllowed).toEqual(["acme/ci-config", "shared/*"]);
    expect(s.codebuild.previewRole).toBe("arn:aws:iam::123456789012:role/{project}-preview");
    expect(s.codebuild.untrustedRole).toBe("arn:aws:iam::123456789012:role/untrusted-builds");
    expect(s.allowedOwners).toEqual(["acme", "octo-org"]);
    expect(s.codebuild.sourceAuth).toEqual({ type: "CODECONNECTIONS", resource: "arn:aws:codeconnections:eu-west-1:123456789012:connection/abc" });
  });

  test.each([
    [{ PORT: "eighty" }, /^Invalid PORT="eighty": /],
    [{ POLL_INTERVAL_MS: "-5" }, /^Invalid POLL_INTERVAL_MS="-5": expected a number above 0$/],
    [{ POLL_INTERVAL_MS: "abc" }, /^Invalid POLL_INTERVAL_MS="abc": expected a number$/],
    [{ STORE: "redis" }, /^Invalid STORE="redis": .*dynamodb.*embedded/],
    [{ RUNNER: "docker" }, /^Invalid RUNNER/],
    [{ GHE_PROTOCOL: "ftp" }, /^Invalid GHE_PROTOCOL/],
    [{ GHE_HOST: "https://ghe.example.com" }, /^Invalid GHE_HOST/],
    [{ CODEBUILD_SOURCE_AUTH: "OAUTH" }, /^Invalid CODEBUILD_SOURCE_AUTH.*CODECONNECTIONS/],
    [{ CODEBUILD_UNTRUSTED_ROLE: "untrusted" }, /^Invalid CODEBUILD_UNTRUSTED_ROLE.*IAM role ARN/],
    [{ CODEBUILD_PREVIEW_ROLE: "arn:aws:iam::123456789012:role/{repo}-preview" }, /^Invalid CODEBUILD_PREVIEW_ROLE.*\{project\} may stand for the project/],
    [{ CODEBUILD_PREVIEW_ROLE: "arn:aws:iam::123:role/x" }, /^Invalid CODEBUILD_PREVIEW_ROLE/],
    [
      { CODEBUILD_PROJECTS: "acme/web" },
      /^Invalid CODEBUILD_PROJECTS="acme\/web": rule "acme\/web" has 0 "=": expected comma-separated rules REPO_GLOB=PROJECT/,
    ],
    [{ CODEBUILD_PROJECTS: "web=web-build" }, /^Invalid CODEBUILD_PROJECTS.*"web" cannot match a repository: write owner\/name globs/],
    [{ CODEBUILD_PROJECTS: "acme/web=web build" }, /^Invalid CODEBUILD_PROJECTS.*"web build" is not a CodeBuild project name/],
    [{ CONFIG_EXTENDS_ALLOWED: "ci-config" }, /^Invalid CONFIG_EXTENDS_ALLOWED.*owner\/name globs/],
    [{ PUBLIC_URL: "not a url" }, /^Invalid PUBLIC_URL/],
    [{ TABLE_AUTO_CREATE: "maybe" }, /^Invalid TABLE_AUTO_CREATE/],
    [{ SESSION_SECRET: "short" }, /^Invalid SESSION_SECRET.*16/],
    [{ GITHUB_CLIENT_ID: "Iv1.abc" }, /^Missing GITHUB_CLIENT_SECRET/],
    [{ LOCAL_ISOLATION: "docker" }, /^Invalid LOCAL_ISOLATION="docker": expected bubblewrap or none$/],
    [{ LOCAL_CONCURRENCY: "0" }, /^Invalid LOCAL_CONCURRENCY="0": expected a number above 0$/],
    [{ LOCAL_CONCURRENCY: "1.5" }, /^Invalid LOCAL_CONCURRENCY="1.5": expected a whole number$/],
  ])("%j stops start-up with one line naming the variable", (env, message) => {
    expect(() => parseSettings({ ...aws, ...env })).toThrow(SettingsError);
    expect(() => parseSettings({ ...aws, ...env })).toThrow(message);
  });

  test("the CodeBuild runner needs CODEBUILD_PROJECT, unless a rule of CODEBUILD_PROJECTS maps every repository", () => {
    expect(() => parseSettings({ AWS_REGION: "eu-west-1" })).toThrow(
      /^Missing CODEBUILD_PROJECT: the CodeBuild runner needs the project that builds repositories/,
    );
    expect(() => parseSettings({ AWS_REGION: "eu-west-1", CODEBUILD_PROJECTS: "acme/*=acme-builds" })).toThrow(
      /^Missing CODEBUILD_PROJECT: the CodeBuild runner needs the project of the repositories no rule of CODEBUILD_PROJECTS maps/,
    );
    expect(parseSettings({ AWS_REGION: "eu-west-1", CODEBUILD_PROJECTS: "acme/web=web-build,*/*=shared" }).codebuild.defaultProject).toBeUndefined();
    expect(parseSettings({ AWS_REGION: "eu-west-1", CODEBUILD_PROJECTS: "**=shared" }).runner).toBe("codebuild");
  });

  test("CODEBUILD_PROJECTS_ALLOWED stops start-up with a line that says what replaced it", () => {
    expect(() => parseSettings({ ...aws, CODEBUILD_PROJECTS_ALLOWED: "team-*" })).toThrow(
      /^CODEBUILD_PROJECTS_ALLOWED was replaced by CODEBUILD_PROJECTS, the operator's map of repositories to projects/,
    );
  });
});
