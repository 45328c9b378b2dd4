import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { instrumentOctokit, octokitWithMetrics, routeTemplate } from "../../src/metrics/octokit.js";
import { AppMetrics, METRICS_PREFIX } from "../../src/metrics/registry.js";
import { testPrivateKey } from "../support/fake-github.js";
import { valueOf } from "./exposition.js";

const API = "https://api.github.com";
const requests = `${METRICS_PREFIX}github_requests_total`;
const errors = `${METRICS_PREFIX}github_request_errors_total`;

describe("routeTemplate", () => {
  test.each([
    ["a template stays as written", "/repos/{owner}/{repo}/check-runs", API, "/repos/{owner}/{repo}/check-runs"],
    ["a query is dropped", "/repos/{owner}/{repo}/issues?state=open", API, "/repos/{owner}/{repo}/issues"],
    ["a pagination link loses origin, query and ids", `${API}/repositories/1296269/issues?page=2`, API, "/repositories/{id}/issues"],
    [
      "GitHub Enterprise: the base path goes too",
      "http://127.0.0.1:8080/api/v3/repositories/7/pulls/3/files?page=2",
      "http://127.0.0.1:8080/api/v3",
      "/repositories/{id}/pulls/{id}/files",
    ],
    ["an absolute URL on another base", "https://uploads.github.com/repositories/5/releases/9/assets", API, "/repositories/{id}/releases/{id}/assets"],
    ["a numeric id written into the path", "/app/installations/123/access_tokens", API, "/app/installations/{id}/access_tokens"],
    ["a repository's name written into the path", "/repos/octo/private-thing/pulls/3/files", API, "/repos/{owner}/{repo}/pulls/{id}/files"],
    ["a concrete first page of a pagination", `${API}/repos/octo/app/commits/abc/check-runs?per_page=100`, API, "/repos/{owner}/{repo}/commits/abc/check-runs"],
    ["digits inside a segment stay", "/repos/{owner}/{repo}/git/refs/heads/v2", API, "/repos/{owner}/{repo}/git/refs/heads/v2"],
  ])("%s", (_what, url, baseUrl, route) => {
    expect(routeTemplate(url, baseUrl)).toBe(route);
  });
});

describe("octokitWithMetrics", () => {
  const Quiet = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });
  let metrics: AppMetrics;
  let octokit: ProbotOctokit;

  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  beforeEach(() => {
    metrics = new AppMetrics({ processMetrics: false });
    const Octokit = octokitWithMetrics(metrics, Quiet);
    octokit = new Octokit({ auth: { token: "ghs_test" } });
  });
  afterEach(() => {
    expect(nock.isDone()).toBe(true);
    nock.cleanAll();
  });

  test("counts a call by its route template, never the repository's name", async () => {
    nock(API).post("/repos/octo/private-thing/check-runs").reply(201, { id: 1 });
    await octokit.rest.checks.create({ owner: "octo", repo: "private-thing", name: "CodeBuild", head_sha: "a".repeat(40) });
    const text = await metrics.text();
    const route = "/repos/{owner}/{repo}/check-runs";
    expect(valueOf(text, requests, { method: "POST", route, status: "201" })).toBe(1);
    expect(valueOf(text, errors, { route, status: "201" })).toBeUndefined();
    expect(valueOf(text, `${METRICS_PREFIX}github_request_duration_seconds_count`, { method: "POST", route })).toBe(1);
    expect(text).not.toContain("private-thing");
  });

  test("counts a 404 as an error and still throws it", async () => {
    nock(API).get("/repos/octo/gone").reply(404, { message: "Not Found" });
    await expect(octokit.rest.repos.get({ owner: "octo", repo: "gone" })).rejects.toMatchObject({ status: 404 });
    const text = await metrics.text();
    expect(valueOf(text, requests, { method: "GET", route: "/repos/{owner}/{repo}", status: "404" })).toBe(1);
    expect(valueOf(text, errors, { route: "/repos/{owner}/{repo}", status: "404" })).toBe(1);
  });

  test("counts each page of a paginated list under the route the caller named", async () => {
    nock(API)
      .get("/repos/octo/app/pulls/3/files")
      .query(true)
      .reply(200, [{ filename: "a" }], { link: `<${API}/repositories/42/pulls/3/files?page=2>; rel="next"` })
      .get("/repositories/42/pulls/3/files")
      .query({ page: 2 })
      .reply(200, [{ filename: "b" }]);
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: "octo", repo: "app", pull_number: 3 });
    expect(files.map((f) => f.filename)).toEqual(["a", "b"]);
    const text = await metrics.text();
    expect(valueOf(text, requests, { method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: "200" })).toBe(2);
  });

  test("counts the pages of paginate.iterator and of a route string the same way", async () => {
    nock(API)
      .get("/repos/octo/app/commits/abc/check-runs")
      .query(true)
      .reply(200, { total_count: 2, check_runs: [{ id: 1 }] }, { link: `<${API}/repositories/42/commits/abc/check-runs?page=2>; rel="next"` })
      .get("/repositories/42/commits/abc/check-runs")
      .query({ page: 2 })
      .reply(200, { total_count: 2, check_runs: [{ id: 2 }] });
    const route = "/repos/{owner}/{repo}/commits/{ref}/check-runs";
    let pages = 0;
    for await (const _page of octokit.paginate.iterator(`GET ${route}`, { owner: "octo", repo: "app", ref: "abc" })) pages++;
    expect(pages).toBe(2);
    const text = await metrics.text();
    expect(valueOf(text, requests, { method: "GET", route, status: "200" })).toBe(2);
    expect(text).not.toContain("repositories");
  });

  test("keeps Probot's plugins; with retries on, a retried call is counted once with its final status", async () => {
    const Octokit = octokitWithMetrics(metrics, ProbotOctokit.defaults({ retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } }));
    const retrying = new Octokit({ auth: { token: "ghs_test" } });
    expect(typeof retrying.config.get).toBe("function");
    nock(API).get("/repos/octo/app").reply(502, { message: "Bad Gateway" }).get("/repos/octo/app").reply(200, { id: 1 });
    await retrying.rest.repos.get({ owner: "octo", repo: "app" });
    const text = await metrics.text();
    expect(valueOf(text, requests, { method: "GET", route: "/repos/{owner}/{repo}", status: "200" })).toBe(1);
    expect(valueOf(text, requests, { method: "GET", route: "/repos/{owner}/{repo}", status: "502" })).toBeUndefined();
  });

  test("given to Probot, every Octokit it makes counts its calls, installation tokens included", async () => {
    const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), log: pino({ level: "silent" }), Octokit: octokitWithMetrics(metrics, Quiet) });
    nock(API)
      .post("/app/installations/7/access_tokens")
      .reply(201, { token: "ghs_installation", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} })
      .get("/repos/octo/app")
      .reply(200, { id: 1 });
    const installation = await probot.auth(7);
    await installation.rest.repos.get({ owner: "octo", repo: "app" });
    const text = await metrics.text();
    expect(valueOf(text, requests, { method: "POST", route: "/app/installations/{installation_id}/access_tokens", status: "201" })).toBe(1);
    expect(valueOf(text, requests, { method: "GET", route: "/repos/{owner}/{repo}", status: "200" })).toBe(1);
  });

  test("a token fetched during a pagination is counted under its own route", async () => {
    const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), log: pino({ level: "silent" }), Octokit: octokitWithMetrics(metrics, Quiet) });
    nock(API)
      .post("/app/installations/8/access_tokens")
      .reply(201, { token: "ghs_installation", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} })
      .get("/repos/octo/app/pulls/3/files")
      .query(true)
      .reply(200, [{ filename: "a" }]);
    const installation = await probot.auth(8);
    await installation.paginate(installation.rest.pulls.listFiles, { owner: "octo", repo: "app", pull_number: 3 });
    const text = await metrics.text();
    expect(valueOf(text, requests, { method: "POST", route: "/app/installations/{installation_id}/access_tokens", status: "201" })).toBe(1);
    expect(valueOf(text, requests, { method: "GET", route: "/repos/{owner}/{repo}/pulls/{pull_number}/files", status: "200" })).toBe(1);
  });

  test("instrumentOctokit never makes an instrumented Octokit count twice", async () => {
    instrumentOctokit(octokit, metrics);
    nock(API).get("/repos/octo/app").reply(200, { id: 1 });
    await octokit.rest.repos.get({ owner: "octo", repo: "app" });
    expect(valueOf(await metrics.text(), requests, { method: "GET", route: "/repos/{owner}/{repo}", status: "200" })).toBe(1);
  });

  test("instrumentOctokit counts the calls of a plain Probot Octokit", async () => {
    const plain = instrumentOctokit(new Quiet({ auth: { token: "ghs_test" } }), metrics);
    nock(API).get("/app").reply(200, { id: 1, slug: "codebuild-checks" });
    await plain.request("GET /app");
    expect(valueOf(await metrics.text(), requests, { method: "GET", route: "/app", status: "200" })).toBe(1);
  });
});
