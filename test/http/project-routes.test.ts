import { startApi, type ApiHarness } from "./api-harness.js";

/*
 * The seed plan's routes (SPEC 7): `/api/projects/:repositoryId/env` answers exactly as
 * `/api/repos/:owner/:repo/env` does — same handlers, same access, same bodies — with the
 * repository named by GitHub's id.
 */

const SECRET = "s3cr3t-project-value";
const BY_NAME = "/api/repos/octo/app/env";
const BY_ID = "/api/projects/101/env";

let api: ApiHarness;

beforeEach(async () => {
  api = await startApi();
  const gh = api.github;
  gh.tokens.set("gho_writer", { login: "writer", id: 1 });
  gh.tokens.set("gho_reader", { login: "reader", id: 2 });
  gh.tokens.set("gho_outsider", { login: "outsider", id: 3 });
  gh.repository({ id: 101, owner: "octo", name: "app", private: true, installationId: 11, permissions: { writer: "write", reader: "read", outsider: "none" } });
  gh.repository({ id: 102, owner: "octo", name: "site", private: false, installationId: 12, permissions: { writer: "write" } });
  const change = { actor: "writer", via: "api" } as const;
  await api.editor.set({ id: 101, fullName: "octo/app" }, "all", [{ name: "API_URL", isSecret: false, value: "https://api.example.com" }], change);
  await api.editor.set({ id: 101, fullName: "octo/app" }, "production", [{ name: "DB_PASSWORD", isSecret: true, value: SECRET }], change);
});

afterEach(async () => {
  const leaked = api.bodies.filter((body) => body.includes(SECRET));
  const invalid = api.github.invalid;
  await api.close();
  expect(leaked).toEqual([]);
  expect(invalid).toEqual([]);
});

/** The same request at both paths: what each answered (the PUT of the second repeats the first's, so both see the same state). */
async function both(method: string, query: string, options: Parameters<ApiHarness["request"]>[2] = {}) {
  const byName = await api.request(method, `${BY_NAME}${query}`, options);
  const byId = await api.request(method, `${BY_ID}${query}`, options);
  return { byName, byId };
}

describe("GET and PUT /api/projects/:repositoryId/env are the twins of /api/repos/:owner/:repo/env", () => {
  test.each<[string, string, string, Parameters<ApiHarness["request"]>[2]]>([
    ["a writer lists every environment", "GET", "", {}],
    ["a writer lists one environment", "GET", "?environment=production", {}],
    ["a reader sees names only", "GET", "", { token: "gho_reader" }],
    ["a bad query", "GET", "?environment=staging", {}],
    ["no token", "GET", "", { token: null }],
    ["a token GitHub does not confirm", "GET", "", { token: "gho_forged" }],
    ["a reader cannot write", "PUT", "", { token: "gho_reader", body: { environment: "all", envVars: [] } }],
    ["a body that does not fit", "PUT", "", { body: { environment: "all", envVars: [{ key: "bad-name", value: "x", isSecret: false }] } }],
    ["a body that is not JSON", "PUT", "", { body: "{" }],
    [
      "a writer replaces a set, keeping a secret sent as ***",
      "PUT",
      "",
      {
        body: {
          environment: "production",
          envVars: [
            { key: "DB_PASSWORD", value: "***", isSecret: true },
            { key: "LOG_LEVEL", value: "warn", isSecret: false },
          ],
        },
      },
    ],
  ])("%s: the same status, headers and body", async (_case, method, query, options) => {
    const { byName, byId } = await both(method, query, options);
    expect(byId.status).toBe(byName.status);
    expect(byId.json).toEqual(byName.json);
    for (const name of ["content-type", "cache-control", "www-authenticate"]) expect(byId.headers.get(name)).toBe(byName.headers.get(name));
  });

  test("a PUT by id stores what a PUT by name stores, where a build reads it", async () => {
    const response = await api.request("PUT", BY_ID, { body: { environment: "preview", envVars: [{ key: "FROM_PROJECT", value: "yes", isSecret: false }] } });
    expect(response.status).toBe(200);
    expect((await api.request("GET", `${BY_NAME}?environment=preview`)).json).toEqual(response.json);
    expect((await api.variables.list(101, ["preview"])).map((e) => e.name)).toEqual(["FROM_PROJECT"]);
  });

  test.each([
    ["a user without access", "/api/projects/101/env", "gho_outsider"],
    ["an id no repository of the app's installations has", "/api/projects/999/env", "gho_writer"],
    ["an id that is not a number", "/api/projects/octo%2Fapp/env", "gho_writer"],
    ["an id with leading zeros", "/api/projects/0101/env", "gho_writer"],
  ])("404 for %s, as by name, revealing nothing", async (_case, path, token) => {
    const response = await api.request("GET", path, { token });
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ error: { code: "not_found", message: expect.stringContaining("that you can read has this app installed") } });
  });

  test("the id is looked up with the user's own token and remembered for a minute", async () => {
    await api.request("GET", BY_ID);
    await api.request("GET", BY_ID);
    expect(api.github.count("GET", /^\/user\/installations(\?|$)/)).toBe(1);
    expect(api.github.requests.find((r) => r.path.startsWith("/user/installations"))?.authorization).toBe("token gho_writer");
    api.advance(61_000);
    await api.request("GET", BY_ID);
    expect(api.github.count("GET", /^\/user\/installations(\?|$)/)).toBe(2);
  });
});
