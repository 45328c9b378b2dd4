import { MAX_VALUE_BYTES } from "../../src/domain/variable-names.js";
import { OAUTH, startApi, type ApiHarness } from "./api-harness.js";

const WRITER = { login: "writer", id: 1 };
const READER = { login: "reader", id: 2 };
const OUTSIDER = { login: "outsider", id: 3 };
const ADMIN = { login: "admin", id: 4 };

const DB_PASSWORD = "s3cr3t-db-password";
const API_KEY = "s3cr3t-api-key";
const NEW_SECRET = "s3cr3t-brand-new";
/** Secret values this suite stores: none may ever appear in a response. */
const SECRET_VALUES = [DB_PASSWORD, API_KEY, NEW_SECRET];

const ENV = "/api/repos/octo/app/env";

let api: ApiHarness;

async function seed(): Promise<void> {
  const change = { actor: "writer", via: "api" } as const;
  const repo = { id: 101, fullName: "octo/app" };
  await api.editor.set(repo, "all", [{ name: "API_URL", isSecret: false, value: "https://api.example.com" }], change);
  await api.editor.set(repo, "all", [{ name: "API_KEY", isSecret: true, value: API_KEY }], change);
  await api.editor.set(
    repo,
    "production",
    [
      { name: "DB_PASSWORD", isSecret: true, value: DB_PASSWORD },
      { name: "LOG_LEVEL", isSecret: false, value: "warn" },
    ],
    change,
  );
  await api.editor.set(repo, "preview", [{ name: "LOG_LEVEL", isSecret: false, value: "debug" }], change);
  api.secrets.calls.length = 0;
}

beforeEach(async () => {
  api = await startApi({ deniedOwners: ["denied"] });
  const gh = api.github;
  gh.tokens.set("gho_writer", WRITER);
  gh.tokens.set("gho_reader", READER);
  gh.tokens.set("gho_outsider", OUTSIDER);
  gh.tokens.set("ghu_admin", ADMIN);
  gh.repository({
    id: 101,
    owner: "octo",
    name: "app",
    private: true,
    installationId: 11,
    permissions: { writer: "write", reader: "read", admin: "admin", outsider: "none" },
  });
  gh.repository({ id: 102, owner: "octo", name: "site", private: false, installationId: 11, permissions: { writer: "write" } });
  gh.repository({ id: 103, owner: "octo", name: "unselected", private: true, installationId: 11, selected: false, permissions: { writer: "write" } });
  gh.repository({ id: 104, owner: "other", name: "app", private: true, permissions: { writer: "write" } });
  gh.repository({ id: 105, owner: "denied", name: "app", private: true, installationId: 12, permissions: { writer: "write" } });
  await seed();
});

afterEach(async () => {
  const leaked = api.bodies.filter((body) => SECRET_VALUES.some((value) => body.includes(value)));
  const invalid = api.github.invalid;
  await api.close();
  expect(leaked).toEqual([]);
  expect(invalid).toEqual([]);
});

describe("401: no token GitHub confirms as the app's", () => {
  test.each([
    ["no Authorization header", { token: null }],
    ["a Basic header", { authorization: "Basic d3JpdGVyOnB3" }],
    ["Bearer without a token", { authorization: "Bearer " }],
    ["two words after Bearer", { authorization: "Bearer gho_writer extra" }],
  ])("%s is refused without asking GitHub", async (_what, options) => {
    const response = await api.request("GET", ENV, options);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="codebuild-checks"$/);
    expect(response.json).toEqual({ error: { code: "unauthenticated", message: expect.stringContaining("Authorization: Bearer") } });
    expect(api.github.requests).toEqual([]);
  });

  test("a token GitHub does not know as the app's is refused", async () => {
    const response = await api.request("PUT", ENV, { token: "gho_forged", body: { environment: "all", envVars: [] } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="codebuild-checks", error="invalid_token"');
    expect(response.json).toEqual({ error: { code: "invalid_token", message: expect.stringContaining("sign in") } });
    expect(api.github.count("GET", /installation/)).toBe(0);
  });

  test("the scheme is case-insensitive (RFC 7235)", async () => {
    expect((await api.request("GET", ENV, { authorization: "bearer gho_writer" })).status).toBe(200);
  });
});

describe("the token check GitHub answers", () => {
  test("is POST /applications/{client_id}/token with the app's client credentials and the token in the body", async () => {
    await api.request("GET", ENV);
    const checks = api.github.requests.filter((r) => r.path.startsWith("/applications/"));
    expect(checks).toEqual([
      {
        method: "POST",
        path: `/applications/${OAUTH.clientId}/token`,
        body: { access_token: "gho_writer" },
        authorization: `basic ${Buffer.from(`${OAUTH.clientId}:${OAUTH.clientSecret}`).toString("base64")}`,
      },
    ]);
  });

  test("a confirmed token is trusted for a minute, then checked again", async () => {
    await api.request("GET", ENV);
    api.advance(59_000);
    await api.request("GET", ENV);
    expect(api.github.count("POST", /^\/applications\//)).toBe(1);
    api.advance(2_000);
    await api.request("GET", ENV);
    expect(api.github.count("POST", /^\/applications\//)).toBe(2);
  });

  test("GitHub refusing the app's credentials is a 500 that logs the cause, never the token", async () => {
    api.github.tokenCheckStatus = 401;
    const response = await api.request("GET", ENV);
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ error: { code: "internal_error", message: expect.any(String) } });
    expect(response.text).not.toContain("GITHUB_CLIENT");
    const logged = api.logs.join("\n");
    expect(logged).toContain("check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET");
    expect(logged).not.toContain("gho_writer");
  });
});

test("503 without the app's OAuth credentials, saying which variables to set", async () => {
  const unconfigured = await startApi({ oauth: null });
  try {
    for (const token of [null, "gho_writer"]) {
      const response = await unconfigured.request("GET", ENV, { token });
      expect(response.status).toBe(503);
      expect(response.json).toEqual({
        error: { code: "oauth_not_configured", message: expect.stringMatching(/GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/) },
      });
    }
    expect(unconfigured.github.requests).toEqual([]);
  } finally {
    await unconfigured.close();
  }
});

describe("404: nothing revealed", () => {
  test.each([
    ["the app is not installed", "/api/repos/other/app/env", "gho_writer"],
    ["the repository is not among the installation's", "/api/repos/octo/unselected/env", "gho_writer"],
    ["the owner is not served (ALLOWED_OWNERS)", "/api/repos/denied/app/env", "gho_writer"],
    ["a private repository the user cannot read (permission none)", ENV, "gho_outsider"],
  ])("%s", async (_what, path, token) => {
    for (const method of ["GET", "PUT"]) {
      const response = await api.request(method, path, { token, body: method === "PUT" ? { environment: "all", envVars: [] } : undefined });
      expect(response.status).toBe(404);
      expect(response.json).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    }
    expect(api.variables.auditTrail.filter((a) => a.actor !== "writer")).toEqual([]);
  });

  test("a user unknown to a private repository (GitHub's 404) is not found", async () => {
    api.github.tokens.set("gho_nobody", { login: "nobody", id: 9 });
    expect((await api.request("GET", ENV, { token: "gho_nobody" })).status).toBe(404);
  });

  test("not installed and cannot read give the same answer for the same repository", async () => {
    const outsider = await api.request("GET", ENV, { token: "gho_outsider" });
    api.github.repository({ id: 101, owner: "octo", name: "app", private: true, permissions: {} });
    api.advance(61_000);
    const notInstalled = await api.request("GET", ENV);
    expect(api.github.count("GET", /^\/repos\/octo\/app\/installation$/)).toBe(2);
    expect(notInstalled.status).toBe(404);
    expect(notInstalled.text).toBe(outsider.text);
    expect(notInstalled.headers.get("content-type")).toBe(outsider.headers.get("content-type"));
  });

  test("a name that cannot be a repository is not asked about", async () => {
    expect((await api.request("GET", "/api/repos/octo/bad%20name/env")).status).toBe(404);
    expect(api.github.requests.map((r) => r.path)).toEqual([`/applications/${OAUTH.clientId}/token`]);
  });
});

describe("403: readers cannot change variables", () => {
  test("a read-only user's PUT is refused before the body is looked at", async () => {
    for (const body of [{ environment: "all", envVars: [] }, { nonsense: true }]) {
      const response = await api.request("PUT", ENV, { token: "gho_reader", body });
      expect(response.status).toBe(403);
      expect(response.json).toEqual({ error: { code: "forbidden", message: expect.stringContaining("write permission") } });
    }
    expect(api.secrets.calls).toEqual([]);
    expect(api.variables.auditTrail.filter((a) => a.actor === "reader")).toEqual([]);
  });

  test("anyone can read a public repository, but not write it", async () => {
    expect((await api.request("GET", "/api/repos/octo/site/env", { token: "gho_outsider" })).status).toBe(200);
    expect((await api.request("PUT", "/api/repos/octo/site/env", { token: "gho_outsider", body: { environment: "all", envVars: [] } })).status).toBe(403);
  });
});

describe("400: zod's issues name the field", () => {
  test.each([
    ["an unknown environment", "?environment=staging", ["environment"]],
    ["an unknown query parameter", "?env=production", []],
  ])("GET with %s", async (_what, query, path) => {
    const response = await api.request("GET", `${ENV}${query}`);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { code: "invalid_request", message: expect.any(String), issues: [expect.objectContaining({ path })] } });
  });

  const secret = (key: string, value?: string) => ({ key, isSecret: true, ...(value !== undefined && { value }) });
  const plain = (key: string, value: string) => ({ key, value, isSecret: false });

  test.each([
    ["an unknown environment", { environment: "staging", envVars: [] }, { path: ["environment"] }],
    ["an unknown top-level field", { environment: "all", envVars: [], secret: true }, { path: [], keys: ["secret"] }],
    ["an unknown field of a variable", { environment: "all", envVars: [{ ...plain("A", "1"), type: "plain" }] }, { path: ["envVars", 0], keys: ["type"] }],
    ["isSecret left out", { environment: "all", envVars: [{ key: "A", value: "1" }] }, { path: ["envVars", 0, "isSecret"] }],
    ["a value that is not a string", { environment: "all", envVars: [{ key: "A", value: 1, isSecret: false }] }, { path: ["envVars", 0, "value"] }],
    ["a bad key", { environment: "all", envVars: [plain("A", "1"), plain("B", "2"), plain("lower-case", "3")] }, { path: ["envVars", 2, "key"] }],
    ["a reserved key", { environment: "all", envVars: [plain("CODEBUILD_X", "1")] }, { path: ["envVars", 0, "key"] }],
    ["a key given twice", { environment: "all", envVars: [plain("A", "1"), plain("A", "2")] }, { path: ["envVars", 1, "key"] }],
    ["a new secret without a value", { environment: "all", envVars: [plain("A", "1"), secret("NEW_TOKEN")] }, { path: ["envVars", 1, "value"] }],
    ["a new secret sent as ***", { environment: "production", envVars: [secret("NEW_TOKEN", "***")] }, { path: ["envVars", 0, "value"] }],
    ["a value over 16 KiB", { environment: "all", envVars: [secret("BIG", "x".repeat(MAX_VALUE_BYTES + 1))] }, { path: ["envVars", 0, "value"] }],
  ])("PUT with %s", async (_what, body, issue) => {
    const before = await api.variables.list(101);
    const response = await api.request("PUT", ENV, { body });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      error: {
        code: "invalid_request",
        message: expect.any(String),
        issues: expect.arrayContaining([expect.objectContaining({ ...issue, message: expect.any(String) })]),
      },
    });
    expect(await api.variables.list(101)).toEqual(before);
    expect(api.secrets.calls).toEqual([]);
  });

  test("a body that is not JSON", async () => {
    const response = await api.request("PUT", ENV, { body: "environment=all" });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { code: "invalid_request", message: expect.stringContaining("not JSON") } });
  });

  test("issues do not echo the values sent", async () => {
    const response = await api.request("PUT", ENV, { body: { environment: "all", envVars: [secret("bad key", NEW_SECRET)] } });
    expect(response.status).toBe(400);
    expect(response.text).not.toContain(NEW_SECRET);
  });
});

describe("GET /api/repos/:owner/:repo/env", () => {
  const view = (key: string, environment: string, isSecret: boolean, value: string | null) => ({
    key,
    value,
    isSecret,
    environment,
    updatedAt: "2024-05-01T12:00:00.000Z",
    updatedBy: "writer",
  });

  test("users with write see plain values and *** for secrets, every environment's without ?environment", async () => {
    for (const token of ["gho_writer", "ghu_admin"]) {
      const response = await api.request("GET", ENV, { token });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.json).toEqual({
        envVars: [
          view("API_KEY", "all", true, "***"),
          view("API_URL", "all", false, "https://api.example.com"),
          view("DB_PASSWORD", "production", true, "***"),
          view("LOG_LEVEL", "production", false, "warn"),
          view("LOG_LEVEL", "preview", false, "debug"),
        ],
      });
    }
  });

  test("?environment= shows one scope", async () => {
    const response = await api.request("GET", `${ENV}?environment=production`);
    expect(response.json).toEqual({ envVars: [view("DB_PASSWORD", "production", true, "***"), view("LOG_LEVEL", "production", false, "warn")] });
  });

  test("users with read see names only", async () => {
    const response = await api.request("GET", `${ENV}?environment=all`, { token: "gho_reader" });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ envVars: [view("API_KEY", "all", true, null), view("API_URL", "all", false, null)] });
  });

  test("the repository is found by GitHub's id whatever the case of its name in the URL", async () => {
    const response = await api.request("GET", "/api/repos/Octo/App/env?environment=all");
    expect((response.json as { envVars: unknown[] }).envVars).toHaveLength(2);
  });
});

describe("PUT /api/repos/:owner/:repo/env", () => {
  test("replaces the environment's set and answers it as GET shows it", async () => {
    api.advance(60_000);
    const response = await api.request("PUT", ENV, {
      body: {
        environment: "production",
        envVars: [
          { key: "LOG_LEVEL", value: "error", isSecret: false },
          { key: "STRIPE_KEY", value: NEW_SECRET, isSecret: true },
        ],
      },
    });
    expect(response.status).toBe(200);
    const at = "2024-05-01T12:01:00.000Z";
    const expected = {
      envVars: [
        { key: "LOG_LEVEL", value: "error", isSecret: false, environment: "production", updatedAt: at, updatedBy: "writer" },
        { key: "STRIPE_KEY", value: "***", isSecret: true, environment: "production", updatedAt: at, updatedBy: "writer" },
      ],
    };
    expect(response.json).toEqual(expected);
    expect((await api.request("GET", `${ENV}?environment=production`)).json).toEqual(expected);
    // DB_PASSWORD left the set: its secret goes; the new one is stored, tagged with the repository.
    expect(api.secrets.peek("codebuild-checks/101/production/STRIPE_KEY")).toBe(NEW_SECRET);
    expect(api.secrets.tagsOf("codebuild-checks/101/production/STRIPE_KEY")).toMatchObject({ "codebuild-checks:repository-id": "101" });
    expect(api.secrets.peek("codebuild-checks/101/production/DB_PASSWORD")).toBeUndefined();
    // Other environments are untouched.
    expect((await api.variables.list(101, ["all", "preview"])).map((e) => e.name)).toEqual(["API_URL", "API_KEY", "LOG_LEVEL"]);
    expect(await api.variables.audit(101, 3)).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: "replace", actor: "writer", via: "api", name: "STRIPE_KEY", scope: "production" })]),
    );
  });

  test.each([
    ["sent back as ***", { key: "DB_PASSWORD", value: "***", isSecret: true }],
    ["sent without a value", { key: "DB_PASSWORD", isSecret: true }],
  ])("a secret %s keeps its stored value and the secret store is not written", async (_what, entry) => {
    const response = await api.request("PUT", ENV, {
      body: { environment: "production", envVars: [entry, { key: "LOG_LEVEL", value: "info", isSecret: false }] },
    });
    expect(response.status).toBe(200);
    expect((response.json as { envVars: { key: string; value: string }[] }).envVars.map((v) => [v.key, v.value])).toEqual([
      ["DB_PASSWORD", "***"],
      ["LOG_LEVEL", "info"],
    ]);
    expect(api.secrets.calls.filter((c) => c.method !== "getValue")).toEqual([]);
    expect(api.secrets.peek("codebuild-checks/101/production/DB_PASSWORD")).toBe(DB_PASSWORD);
  });

  test("an empty list empties the environment", async () => {
    const response = await api.request("PUT", ENV, { body: { environment: "all", envVars: [] } });
    expect(response.json).toEqual({ envVars: [] });
    expect(api.secrets.peek("codebuild-checks/101/all/API_KEY")).toBeUndefined();
  });
});

describe("what the API asks GitHub", () => {
  test("the installation as the app, then the repository and the user's permission as the installation", async () => {
    await api.request("GET", ENV);
    const asked = api.github.requests.map((r) => `${r.method} ${r.path} ${r.authorization?.split(" ")[0]?.toLowerCase()}`);
    expect(asked).toEqual([
      `POST /applications/${OAUTH.clientId}/token basic`,
      "GET /repos/octo/app/installation bearer",
      "POST /app/installations/11/access_tokens bearer",
      "GET /repos/octo/app token",
      "GET /repos/octo/app/collaborators/writer/permission token",
    ]);
    const jwt = api.github.requests[1]!.authorization!.split(" ")[1]!;
    expect(jwt.split(".")).toHaveLength(3);
  });

  test("permission answers are kept for a minute: a second request within it asks GitHub nothing", async () => {
    await api.request("GET", ENV);
    const first = api.github.requests.length;
    api.advance(30_000);
    expect((await api.request("PUT", ENV, { body: { environment: "preview", envVars: [] } })).status).toBe(200);
    expect(api.github.requests.length).toBe(first);

    api.advance(31_000);
    await api.request("GET", ENV);
    expect(api.github.count("GET", /\/permission$/)).toBe(2);
    expect(api.github.count("GET", /\/installation$/)).toBe(2);
  });

  test("each user's permission is asked and kept separately", async () => {
    await api.request("GET", ENV);
    await api.request("GET", ENV, { token: "gho_reader" });
    await api.request("GET", ENV, { token: "gho_reader" });
    expect(api.github.requests.filter((r) => r.path.endsWith("/permission")).map((r) => r.path)).toEqual([
      "/repos/octo/app/collaborators/writer/permission",
      "/repos/octo/app/collaborators/reader/permission",
    ]);
    expect(api.github.count("GET", /\/installation$/)).toBe(1);
  });
});

test("the handler declines paths it does not own, so Probot's routes keep working", async () => {
  const response = await api.request("GET", "/api/github/webhooks", { token: null });
  expect(response.status).toBe(404);
  expect(response.text).toBe("not the API's");
  expect((await api.request("GET", "/api/repos/octo/app/other")).json).toEqual({ error: { code: "not_found", message: expect.any(String) } });
});
