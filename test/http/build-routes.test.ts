import { Script } from "node:vm";
import nock from "nock";
import { LOG_PAGE_CSP } from "../../src/http/build-routes.js";
import { csrfToken } from "../../src/http/csrf.js";
import { encodeLogToken, LOG_ANSWER_MAX_BYTES } from "../../src/http/log-query.js";
import { PAGE_LOG_MAX_BYTES } from "../../src/http/log-page.js";
import { builtPageScript, compiledPageSource } from "../support/page-scripts.js";
import { buildRecord, completed, repository } from "../support/build-records.js";
import { GITHUB_API } from "./api-harness.js";
import { SESSION_SECRET, startBuildSite, type BuildSite } from "./build-harness.js";

const WRITER = { login: "writer", id: 1 };
const READER = { login: "reader", id: 2 };
const OUTSIDER = { login: "outsider", id: 3 };

const PRIVATE_REPO = repository({ id: 101, owner: "octo", name: "app", private: true });
const PUBLIC_REPO = repository({ id: 102, owner: "octo", name: "site", private: false });

const PUBLIC_RUNNING = buildRecord({ deploymentId: "a".repeat(32), repository: PUBLIC_REPO, buildId: "shared-builds:public-1" });
const PUBLIC_DONE = completed(buildRecord({ deploymentId: "b".repeat(32), repository: PUBLIC_REPO, buildId: "shared-builds:public-2" }));
const PRIVATE_RUNNING = buildRecord({ deploymentId: "c".repeat(32), repository: PRIVATE_REPO, buildId: "shared-builds:private-1" });
const PRIVATE_DONE = completed(buildRecord({ deploymentId: "d".repeat(32), repository: PRIVATE_REPO, buildId: "shared-builds:private-2" }), "FAILED");
/** Recorded before StartBuild answered: nothing to stop yet. */
const PRIVATE_STARTING = buildRecord({ deploymentId: "e".repeat(32), repository: PRIVATE_REPO, buildId: undefined, snapshot: undefined });
const UNKNOWN = "f".repeat(32);

const XSS = "<script>alert(1)</script>";

let site: BuildSite;

async function seed(s: BuildSite): Promise<void> {
  for (const record of [PUBLIC_RUNNING, PUBLIC_DONE, PRIVATE_RUNNING, PRIVATE_DONE, PRIVATE_STARTING]) await s.records.put(record);
  await s.logStore.appendText(PUBLIC_RUNNING.deploymentId, ["[Container] Entering phase BUILD", "\u001b[32mnpm run build\u001b[0m", XSS]);
  await s.logStore.appendText(PRIVATE_RUNNING.deploymentId, ["private line 1", "private line 2"]);
  await s.logStore.appendText(
    PUBLIC_DONE.deploymentId,
    Array.from({ length: 5 }, (_, i) => `done line ${i}`),
  );
  const gh = s.github;
  gh.tokens.set("gho_writer", WRITER);
  gh.tokens.set("gho_reader", READER);
  gh.tokens.set("gho_outsider", OUTSIDER);
  gh.repository({ id: 101, owner: "octo", name: "app", private: true, installationId: 11, permissions: { writer: "write", reader: "read", outsider: "none" } });
  gh.repository({ id: 102, owner: "octo", name: "site", private: false, installationId: 11, permissions: { writer: "write", reader: "read" } });
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(`${site.url}${path}`, { headers, redirect: "manual" }));
}

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(
    await fetch(`${site.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    }),
  );
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function signedIn(user: { login: string; id: number }): Promise<Record<string, string>> {
  return { cookie: await site.sessionCookie(user) };
}

/** The Cancel form's token in a page, if the page has the form. */
function formToken(html: string): string | undefined {
  return /<form id="cancel"[^>]*action="([^"]+)"[^>]*><input type="hidden" name="csrf" value="([^"]+)">/.exec(html)?.[2];
}

afterEach(async () => {
  const invalid = site.github.invalid;
  await site.close();
  expect(invalid).toEqual([]);
});

describe("with sign-in configured", () => {
  beforeEach(async () => {
    site = await startBuildSite();
    await seed(site);
  });

  describe("GET /builds/:id: who may read", () => {
    test("anyone reads a public repository's build, without the app asking GitHub anything", async () => {
      const page = await get(`/builds/${PUBLIC_RUNNING.deploymentId}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=UTF-8");
      expect(page.text).toContain("octo/site");
      expect(page.text).toContain("[Container] Entering phase BUILD");
      expect(page.text).toContain(`<a class="button" href="/login?return_to=%2Fbuilds%2F${PUBLIC_RUNNING.deploymentId}">Sign in with GitHub</a>`);
      expect(page.text).not.toContain('name="csrf"');
      expect(site.github.requests).toEqual([]);
    });

    test("an anonymous visitor of a private repository's build is sent to sign in, and back", async () => {
      const page = await get(`/builds/${PRIVATE_RUNNING.deploymentId}`);
      expect(page.status).toBe(302);
      expect(page.headers.get("location")).toBe(`/login?return_to=%2Fbuilds%2F${PRIVATE_RUNNING.deploymentId}`);
      expect(page.text).not.toContain("private line");
    });

    test("a signed-in user who can read the private repository sees the page, without a Cancel button", async () => {
      const page = await get(`/builds/${PRIVATE_RUNNING.deploymentId}`, await signedIn(READER));
      expect(page.status).toBe(200);
      expect(page.text).toContain("private line 2");
      expect(page.text).toContain("Signed in as <strong>reader</strong>");
      expect(page.text).toContain('<form method="post" action="/logout">');
      expect(formToken(page.text)).toBeUndefined();
    });

    test("a signed-in user who cannot read it gets the same 404 as for a build that does not exist", async () => {
      const outsider = await get(`/builds/${PRIVATE_RUNNING.deploymentId}`, await signedIn(OUTSIDER));
      const unknown = await get(`/builds/${UNKNOWN}`, await signedIn(OUTSIDER));
      const anonymousUnknown = await get(`/builds/${UNKNOWN}`);
      expect(outsider.status).toBe(404);
      expect(outsider.text).toBe(unknown.text);
      expect(anonymousUnknown.text).toBe(unknown.text);
      expect(outsider.json).toEqual({ error: { code: "not_found", message: expect.stringContaining("no build with this id that you can read") } });
      expect(outsider.text).not.toContain("private line");
    });

    test.each([["x".repeat(129)], ["a.b"], ["%3Cscript%3E"]])("an id no build can have (%s) is 404 without a look in the store", async (id) => {
      const page = await get(`/builds/${id}`);
      expect(page.status).toBe(404);
      expect(site.logStore.pageReads).toEqual([]);
    });

    test("a repository now under the build's old name is another one (another id): its writers get 404", async () => {
      site.github.repository({ id: 999, owner: "octo", name: "app", private: true, installationId: 11, permissions: { writer: "admin" } });
      const page = await get(`/builds/${PRIVATE_RUNNING.deploymentId}`, await signedIn(WRITER));
      expect(page.status).toBe(404);
    });

    test("when GitHub cannot say what a signed-in user may do: a public page loses only its Cancel button, a private one fails", async () => {
      nock.cleanAll();
      nock(GITHUB_API)
        .persist()
        .get(/.*/)
        .reply(403, { message: "Resource not accessible by integration" })
        .post(/.*/)
        .reply(403, { message: "Resource not accessible by integration" });
      const writer = await signedIn(WRITER);
      const publicPage = await get(`/builds/${PUBLIC_RUNNING.deploymentId}`, writer);
      expect(publicPage.status).toBe(200);
      expect(formToken(publicPage.text)).toBeUndefined();
      expect(site.logs.join("\n")).toContain("the log page shows no Cancel button");
      const privatePage = await get(`/builds/${PRIVATE_RUNNING.deploymentId}`, writer);
      expect(privatePage.status).toBe(500);
      expect(privatePage.json).toEqual({ error: { code: "internal_error", message: expect.any(String) } });
    });

    test("a session cookie signed with another secret counts as no session", async () => {
      const page = await get(`/builds/${PRIVATE_RUNNING.deploymentId}`, { cookie: "codebuild_checks_session=eyJsb2dpbiI6IndyaXRlciJ9.forged" });
      expect(page.status).toBe(302);
    });
  });

  describe("GET /builds/:id: what the page shows", () => {
    test("log text is escaped in the HTML, terminal colours are removed, and no inline script exists", async () => {
      const page = await get(`/builds/${PUBLIC_RUNNING.deploymentId}`);
      expect(page.text).toContain('<div class="line">&lt;script&gt;alert(1)&lt;/script&gt;</div>');
      expect(page.text).not.toContain(XSS);
      expect(page.text).toContain('<div class="line">npm run build</div>');
      expect(page.text).not.toContain("\u001b");
      const scripts = page.text.match(/<script[^>]*>[^<]*<\/script>/g);
      expect(scripts).toEqual(['<script src="/builds/assets/log-page.js" defer></script>']);
    });

    test("the headers: strict CSP, no referrer, no sniffing, not stored", async () => {
      for (const page of [await get(`/builds/${PUBLIC_RUNNING.deploymentId}`), await get(`/builds/${PRIVATE_RUNNING.deploymentId}`, await signedIn(READER))]) {
        expect(page.headers.get("content-security-policy")).toBe(
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        );
        expect(page.headers.get("referrer-policy")).toBe("no-referrer");
        expect(page.headers.get("x-content-type-options")).toBe("nosniff");
        expect(page.headers.get("cache-control")).toBe("no-store");
      }
    });

    test("repository, commit, branch, status badge and the phase table with durations", async () => {
      const page = await get(`/builds/${PUBLIC_RUNNING.deploymentId}`);
      expect(page.text).toContain(
        '<a href="https://github.com/octo/site/commit/1095e7ab1095e7ab1095e7ab1095e7ab1095e7ab" rel="noreferrer"><code>1095e7a</code></a>',
      );
      expect(page.text).toContain('<dt>Branch</dt><dd><a href="https://github.com/octo/site/tree/main" rel="noreferrer">main</a></dd>');
      expect(page.text).toContain('<span id="badge" class="badge tone-running">In progress</span>');
      expect(page.text).toContain('<h1 id="title">Building — BUILD phase</h1>');
      expect(page.text).toContain('<tr><td>INSTALL</td><td><span class="dot tone-success"></span>succeeded</td><td class="duration">31s</td></tr>');
      // Running for 20 s at the harness's clock (12:01:00), started at 12:00:40.
      expect(page.text).toContain('<tr><td>BUILD</td><td><span class="dot tone-running"></span>in progress</td><td class="duration">20s</td></tr>');
      expect(page.text).toContain(`data-next-token="${encodeLogToken(3)}" data-complete="false"`);
      expect(page.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    });

    test("a completed build's page says so, with the whole log and nothing left to follow", async () => {
      const page = await get(`/builds/${PUBLIC_DONE.deploymentId}`);
      expect(page.text).toContain('<span id="badge" class="badge tone-success">Succeeded</span>');
      expect(page.text).toContain("Build succeeded in 2m 41s");
      expect(page.text).toContain(`data-next-token="${encodeLogToken(5)}" data-complete="true"`);
      expect(page.text.match(/<div class="line">/g)).toHaveLength(5);
      expect(page.text).toContain('<span id="log-state" class="log-state">End of the log</span>');
    });

    test("a long log: the page holds its first 5000 lines and leaves the rest to its script", async () => {
      await site.logStore.appendText(
        PUBLIC_DONE.deploymentId,
        Array.from({ length: 5200 }, (_, i) => `more ${i}`),
      );
      const page = await get(`/builds/${PUBLIC_DONE.deploymentId}`);
      expect(page.text.match(/<div class="line">/g)).toHaveLength(5000);
      expect(page.text).toContain(`data-next-token="${encodeLogToken(5000)}" data-complete="false"`);
      expect(site.logStore.pageReads.map((r) => r.limit)).toEqual([1000, 1000, 1000, 1000, 1000]);
    });

    test("a long log of long lines: the page holds at most PAGE_LOG_MAX_BYTES of it and says more follows", async () => {
      const line = "x".repeat(16_000);
      await site.logStore.appendText(
        PUBLIC_DONE.deploymentId,
        Array.from({ length: 200 }, () => line),
      );
      const page = await get(`/builds/${PUBLIC_DONE.deploymentId}`);
      const shown = page.text.match(/<div class="line">/g)!.length;
      expect(shown).toBe(5 + Math.floor((PAGE_LOG_MAX_BYTES - 5 * 11) / line.length));
      expect(page.text.length).toBeLessThan(PAGE_LOG_MAX_BYTES + 20_000);
      expect(page.text).toContain(`data-next-token="${encodeLogToken(shown)}" data-complete="false"`);
      expect(page.text).toContain('<p id="log-more" class="notice">This log is longer than the page holds at first (1024 KiB of text)');
    });

    test("secrets split by escapes or control characters, or stored unmasked, are masked in the page's final text", async () => {
      site.maskedValues.push("hunter2-S3cret");
      await site.logStore.appendText(PUBLIC_DONE.deploymentId, ["a hunter2-\x1b[0mS3cret b", "c hunter2-\x00S3cret d", "e hunter2-S3cret f"]);
      const page = await get(`/builds/${PUBLIC_DONE.deploymentId}`);
      expect(page.text).toContain('<div class="line">a *** b</div><div class="line">c *** d</div><div class="line">e *** f</div>');
      expect(page.text).not.toContain("S3cret");
    });

    test("a pull request's build names it and links to it", async () => {
      const record = buildRecord({
        deploymentId: "9".repeat(32),
        repository: PUBLIC_REPO,
        plan: { ...PUBLIC_RUNNING.plan, environment: "preview", branch: "feature/x", baseBranch: "main", pullRequestNumber: 12 },
      });
      await site.records.put(record);
      const page = await get(`/builds/${record.deploymentId}`);
      expect(page.text).toContain('<dt>Pull request</dt><dd><a href="https://github.com/octo/site/pull/12" rel="noreferrer">#12 feature/x → main</a></dd>');
    });

    test("the page's script and styles are same-origin files under the same headers; the script is valid JavaScript", async () => {
      const script = await get("/builds/assets/log-page.js");
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(script.headers.get("content-security-policy")).toBe(LOG_PAGE_CSP);
      expect(script.headers.get("x-content-type-options")).toBe("nosniff");
      expect(script.headers.get("etag")).toBeTruthy();
      expect(() => new Script(script.text)).not.toThrow();
      expect(script.text).not.toContain("innerHTML");
      const styles = await get("/builds/assets/log-page.css");
      expect(styles.status).toBe(200);
      expect(styles.headers.get("content-type")).toBe("text/css; charset=utf-8");
      const again = await get("/builds/assets/log-page.js", { "if-none-match": script.headers.get("etag")! });
      expect(again.status).toBe(304);
    });

    test("the page's script is the file npm run build compiled from src/browser/log-page.ts", async () => {
      const script = await get("/builds/assets/log-page.js");
      expect(script.text).toBe(builtPageScript("log-page.js"));
      expect(script.text).toBe(compiledPageSource("log-page.js"));
      expect(script.headers.get("cache-control")).toBe("no-cache");
    });

    test.each([
      "/builds/assets/log-page.ts",
      "/builds/assets/seal-page.js",
      "/builds/assets/..%2Fbrowser.tsbuildinfo",
      "/builds/assets/%2E%2E/%2E%2E/package.json",
    ])("%s is not a file the routes serve", async (path) => {
      const answer = await get(path);
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain("sodium");
    });
  });

  describe("GET /api/builds/:id/logs", () => {
    test("every line's final text is masked, escapes and control characters removed first", async () => {
      site.maskedValues.push("hunter2-S3cret");
      await site.logStore.appendText(PUBLIC_DONE.deploymentId, ["a hunter2-\x1b[0mS3cret b", "c hunter2-\x00S3cret d"]);
      for (const format of ["", "?format=plain", "?format=raw"]) {
        const answer = (await get(`/api/builds/${PUBLIC_DONE.deploymentId}/logs${format}`)).json as { logs: { message: string }[] };
        expect(answer.logs.map((l) => l.message).slice(-2)).toEqual(["a *** b", "c *** d"]);
      }
    });

    test("an answer carries at most LOG_ANSWER_MAX_BYTES of log text; nextToken goes on from there", async () => {
      await site.logStore.appendText(
        PUBLIC_DONE.deploymentId,
        Array.from({ length: 300 }, () => "y".repeat(16_000)),
      );
      const first = (await get(`/api/builds/${PUBLIC_DONE.deploymentId}/logs?limit=1000`)).json as {
        logs: { message: string }[];
        nextToken: string;
        complete: boolean;
      };
      const bytes = first.logs.reduce((sum, l) => sum + Buffer.byteLength(l.message), 0);
      expect(bytes).toBeLessThanOrEqual(LOG_ANSWER_MAX_BYTES);
      expect(first.complete).toBe(false);
      expect(first.nextToken).toBe(encodeLogToken(first.logs.length));
    });

    test("pages through the stored log with an opaque nextToken; complete once a completed build's log is all sent", async () => {
      const id = PUBLIC_DONE.deploymentId;
      const first = await get(`/api/builds/${id}/logs?limit=2`);
      expect(first.status).toBe(200);
      expect(first.json).toEqual({
        logs: [
          { timestamp: Date.parse("2024-05-01T12:00:00Z"), message: "done line 0" },
          { timestamp: Date.parse("2024-05-01T12:00:01Z"), message: "done line 1" },
        ],
        nextToken: encodeLogToken(2),
        complete: false,
      });
      const second = (await get(`/api/builds/${id}/logs?limit=3&nextToken=${(first.json as { nextToken: string }).nextToken}`)).json as Record<string, unknown>;
      // Exactly the last three lines: the answer knows it reached the end.
      expect(second).toEqual({
        logs: [expect.anything(), expect.anything(), { timestamp: expect.any(Number), message: "done line 4" }],
        nextToken: encodeLogToken(5),
        complete: true,
      });
      expect((await get(`/api/builds/${id}/logs?nextToken=${second.nextToken as string}`)).json).toEqual({
        logs: [],
        nextToken: encodeLogToken(5),
        complete: true,
      });
      expect(first.headers.get("cache-control")).toBe("no-store");
      expect(first.headers.get("content-security-policy")).toBe(LOG_PAGE_CSP);
    });

    test("a running build's log is never complete, even at its end; 200 lines by default", async () => {
      await site.logStore.appendText(
        PUBLIC_RUNNING.deploymentId,
        Array.from({ length: 300 }, (_, i) => `line ${i}`),
      );
      const page = (await get(`/api/builds/${PUBLIC_RUNNING.deploymentId}/logs`)).json as { logs: unknown[]; nextToken: string; complete: boolean };
      expect(page.logs).toHaveLength(200);
      const rest = (await get(`/api/builds/${PUBLIC_RUNNING.deploymentId}/logs?nextToken=${page.nextToken}&limit=1000`)).json as typeof page;
      expect(rest.logs).toHaveLength(103);
      expect(rest.complete).toBe(false);
      expect(site.logStore.pageReads.slice(-2)).toEqual([
        { deploymentId: PUBLIC_RUNNING.deploymentId, from: 0, limit: 201 },
        { deploymentId: PUBLIC_RUNNING.deploymentId, from: 200, limit: 1001 },
      ]);
    });

    test("every format gives the lines as the page shows them: escapes removed, then masked", async () => {
      const raw = (await get(`/api/builds/${PUBLIC_RUNNING.deploymentId}/logs`)).json as { logs: { message: string }[] };
      const plain = (await get(`/api/builds/${PUBLIC_RUNNING.deploymentId}/logs?format=plain`)).json as typeof raw;
      expect(raw.logs.map((l) => l.message)).toEqual(["[Container] Entering phase BUILD", "npm run build", XSS]);
      expect(plain).toEqual(raw);
    });

    test.each([
      ["nextToken=not-a-token", ["nextToken"]],
      [`nextToken=${Buffer.from("v1:-1").toString("base64url")}`, ["nextToken"]],
      [`nextToken=${Buffer.from("v2:1").toString("base64url")}`, ["nextToken"]],
      ["limit=0", ["limit"]],
      ["limit=1001", ["limit"]],
      ["limit=1.5", ["limit"]],
      ["limit=ten", ["limit"]],
      ["format=html", ["format"]],
      ["next_token=abc", []],
    ])("?%s → 400 with zod's issues", async (query, path) => {
      const answer = await get(`/api/builds/${PUBLIC_DONE.deploymentId}/logs?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({
        error: {
          code: "invalid_request",
          message: expect.stringContaining("GET /api/builds/:id/logs"),
          issues: [expect.objectContaining({ path, message: expect.any(String) })],
        },
      });
    });

    test("empty parameters count as absent", async () => {
      const answer = await get(`/api/builds/${PUBLIC_DONE.deploymentId}/logs?nextToken=&limit=`);
      expect(answer.status).toBe(200);
      expect((answer.json as { logs: unknown[] }).logs).toHaveLength(5);
    });

    test("a private build: 401 without credentials, with a rejected token; readers by token or session; 404 for others", async () => {
      const path = `/api/builds/${PRIVATE_RUNNING.deploymentId}/logs`;
      const anonymous = await get(path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="codebuild-checks"');
      expect(anonymous.json).toEqual({ error: { code: "unauthenticated", message: expect.stringContaining("Authorization: Bearer") } });

      const forged = await get(path, { authorization: "Bearer gho_forged" });
      expect(forged.status).toBe(401);
      expect(forged.json).toEqual({ error: { code: "invalid_token", message: expect.any(String) } });

      const byToken = await get(path, { authorization: "Bearer gho_reader" });
      expect(byToken.status).toBe(200);
      expect((byToken.json as { logs: { message: string }[] }).logs.map((l) => l.message)).toEqual(["private line 1", "private line 2"]);
      expect((await get(path, await signedIn(READER))).status).toBe(200);

      const outsider = await get(path, { authorization: "Bearer gho_outsider" });
      const unknown = await get(`/api/builds/${UNKNOWN}/logs`, { authorization: "Bearer gho_outsider" });
      expect(outsider.status).toBe(404);
      expect(outsider.text).toBe(unknown.text);
    });

    test("a public build's log needs no credentials: a Bearer token is not even checked", async () => {
      expect((await get(`/api/builds/${PUBLIC_DONE.deploymentId}/logs`, { authorization: "Bearer gho_forged" })).status).toBe(200);
      expect(site.github.requests).toEqual([]);
    });
  });

  describe("GET /api/deployments/:id/logs, the seed plan's twin of GET /api/builds/:id/logs", () => {
    test.each<[string, () => string, Record<string, string> | (() => Promise<Record<string, string>>)]>([
      ["a public build, anonymously", () => `${PUBLIC_DONE.deploymentId}/logs?limit=2`, {}],
      ["a public build, the next page", () => `${PUBLIC_DONE.deploymentId}/logs?limit=2&nextToken=${encodeLogToken(2)}`, {}],
      ["a bad query", () => `${PUBLIC_DONE.deploymentId}/logs?limit=0`, {}],
      ["a private build, anonymously", () => `${PRIVATE_RUNNING.deploymentId}/logs`, {}],
      ["a private build, a forged token", () => `${PRIVATE_RUNNING.deploymentId}/logs`, { authorization: "Bearer gho_forged" }],
      ["a private build, a reader's token", () => `${PRIVATE_RUNNING.deploymentId}/logs`, { authorization: "Bearer gho_reader" }],
      ["a private build, a reader's session", () => `${PRIVATE_RUNNING.deploymentId}/logs`, () => signedIn(READER)],
      ["a private build, an outsider", () => `${PRIVATE_RUNNING.deploymentId}/logs`, { authorization: "Bearer gho_outsider" }],
      ["an unknown build", () => `${UNKNOWN}/logs`, {}],
    ])("%s: the same status, headers and body", async (_case, path, headers) => {
      const sent = typeof headers === "function" ? await headers() : headers;
      const builds = await get(`/api/builds/${path()}`, sent);
      const deployments = await get(`/api/deployments/${path()}`, sent);
      expect(deployments.status).toBe(builds.status);
      expect(deployments.text).toBe(builds.text);
      for (const name of ["content-type", "cache-control", "www-authenticate", "content-security-policy", "referrer-policy"]) {
        expect(deployments.headers.get(name)).toBe(builds.headers.get(name));
      }
    });
  });

  describe("GET /api/builds/:id", () => {
    test("the state and phases the page shows, with the same access as the log", async () => {
      const state = await get(`/api/builds/${PUBLIC_RUNNING.deploymentId}`);
      expect(state.json).toEqual({
        deploymentId: PUBLIC_RUNNING.deploymentId,
        status: "IN_PROGRESS",
        completed: false,
        badge: { label: "In progress", tone: "running" },
        title: "Building — BUILD phase",
        phases: [
          { name: "SUBMITTED", status: "succeeded", tone: "success", duration: "1s" },
          { name: "PROVISIONING", status: "succeeded", tone: "success", duration: "8s" },
          { name: "INSTALL", status: "succeeded", tone: "success", duration: "31s" },
          { name: "BUILD", status: "in progress", tone: "running", duration: "20s" },
        ],
      });
      expect((await get(`/api/builds/${PRIVATE_RUNNING.deploymentId}`)).status).toBe(401);
      expect((await get(`/api/builds/${PRIVATE_RUNNING.deploymentId}`, { authorization: "Bearer gho_outsider" })).status).toBe(404);
      expect((await get(`/api/builds/${UNKNOWN}`)).status).toBe(404);
    });
  });

  describe("POST /builds/:id/cancel", () => {
    async function pageToken(id: string, headers: Record<string, string>): Promise<string | undefined> {
      return formToken((await get(`/builds/${id}`, headers)).text);
    }

    test("a writer's Cancel stops the build and comes back to the page, which says so", async () => {
      const writer = await signedIn(WRITER);
      const token = await pageToken(PRIVATE_RUNNING.deploymentId, writer);
      expect(token).toBeDefined();
      const cancel = await post(`/builds/${PRIVATE_RUNNING.deploymentId}/cancel`, { csrf: token! }, writer);
      expect(cancel.status).toBe(303);
      expect(cancel.headers.get("location")).toBe(`/builds/${PRIVATE_RUNNING.deploymentId}?cancel=requested`);
      expect(site.stopped).toEqual(["shared-builds:private-1"]);
      expect(site.logs.join("\n")).toContain('"user":"writer"');
      const page = await get(cancel.headers.get("location")!, writer);
      expect(page.text).toContain("Cancellation requested");
    });

    test("a writer of a public repository gets the button too; readers and anonymous visitors do not", async () => {
      expect(await pageToken(PUBLIC_RUNNING.deploymentId, await signedIn(WRITER))).toBeDefined();
      expect(await pageToken(PUBLIC_RUNNING.deploymentId, await signedIn(READER))).toBeUndefined();
      expect(await pageToken(PUBLIC_RUNNING.deploymentId, {})).toBeUndefined();
      expect(await pageToken(PUBLIC_DONE.deploymentId, await signedIn(WRITER))).toBeUndefined();
    });

    test("a reader gets 403 and nothing stops", async () => {
      const reader = await signedIn(READER);
      const cancel = await post(`/builds/${PRIVATE_RUNNING.deploymentId}/cancel`, { csrf: csrfToken(SESSION_SECRET, reader.cookie!.split("=")[1]!) }, reader);
      expect(cancel.status).toBe(403);
      expect(cancel.json).toEqual({ error: { code: "forbidden", message: expect.stringContaining("write permission on octo/app") } });
      expect(site.stopped).toEqual([]);
    });

    test("an anonymous visitor is sent to sign in (303 after a POST) and nothing stops", async () => {
      const cancel = await post(`/builds/${PUBLIC_RUNNING.deploymentId}/cancel`, { csrf: "x" });
      expect(cancel.status).toBe(303);
      expect(cancel.headers.get("location")).toBe(`/login?return_to=%2Fbuilds%2F${PUBLIC_RUNNING.deploymentId}`);
      expect(site.stopped).toEqual([]);
    });

    test("someone who cannot read the private repository gets 404", async () => {
      expect((await post(`/builds/${PRIVATE_RUNNING.deploymentId}/cancel`, { csrf: "x" }, await signedIn(OUTSIDER))).status).toBe(404);
      expect((await post(`/builds/${UNKNOWN}/cancel`, { csrf: "x" }, await signedIn(WRITER))).status).toBe(404);
      expect(site.stopped).toEqual([]);
    });

    test("a build that has finished, or that CodeBuild has not started yet, answers 409", async () => {
      const writer = await signedIn(WRITER);
      const csrf = csrfToken(SESSION_SECRET, writer.cookie!.split("=")[1]!);
      const finished = await post(`/builds/${PRIVATE_DONE.deploymentId}/cancel`, { csrf }, writer);
      expect(finished.status).toBe(409);
      expect(finished.json).toEqual({ error: { code: "conflict", message: expect.stringContaining("already finished") } });
      const starting = await post(`/builds/${PRIVATE_STARTING.deploymentId}/cancel`, { csrf }, writer);
      expect(starting.status).toBe(409);
      expect(starting.json).toEqual({ error: { code: "conflict", message: expect.stringContaining("not started") } });
      expect(site.stopped).toEqual([]);
    });

    test.each([
      ["no token", async () => ({})],
      ["a wrong token", async () => ({ csrf: "A".repeat(43) })],
      ["the token of another session", async () => ({ csrf: csrfToken(SESSION_SECRET, (await site.sessionCookie(READER)).split("=")[1]!) })],
      ["a token made with another secret", async () => ({ csrf: csrfToken("another-secret", (await site.sessionCookie(WRITER)).split("=")[1]!) })],
    ])("a writer's Cancel with %s: 403 and nothing stops", async (_what, form) => {
      const cancel = await post(`/builds/${PRIVATE_RUNNING.deploymentId}/cancel`, await form(), await signedIn(WRITER));
      expect(cancel.status).toBe(403);
      expect(cancel.json).toEqual({ error: { code: "forbidden", message: expect.stringContaining("did not come from the build's page") } });
      expect(site.stopped).toEqual([]);
    });
  });
});

describe("without the app's OAuth credentials", () => {
  beforeEach(async () => {
    site = await startBuildSite({ oauth: null });
    await seed(site);
  });

  test("a private build's page and API answer 503 naming GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET", async () => {
    for (const path of [
      `/builds/${PRIVATE_RUNNING.deploymentId}`,
      `/api/builds/${PRIVATE_RUNNING.deploymentId}/logs`,
      `/api/builds/${PRIVATE_RUNNING.deploymentId}`,
    ]) {
      const answer = await get(path);
      expect(answer.status).toBe(503);
      expect(answer.json).toEqual({ error: { code: "oauth_not_configured", message: expect.stringMatching(/GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/) } });
    }
    expect((await post(`/builds/${PRIVATE_RUNNING.deploymentId}/cancel`, {})).status).toBe(503);
  });

  test("a public build's page still works, with no sign-in link and no Cancel button", async () => {
    const page = await get(`/builds/${PUBLIC_RUNNING.deploymentId}`, { cookie: await site.sessionCookie(WRITER) });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("/login");
    expect(page.text).not.toContain("Signed in as");
    expect(formToken(page.text)).toBeUndefined();
  });

  test("unknown builds are still 404", async () => {
    expect((await get(`/builds/${UNKNOWN}`)).status).toBe(404);
  });
});
