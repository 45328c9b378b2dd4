import fc from "fast-check";
import { deriveSessionSecret } from "../../src/settings.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { pino } from "pino";
import { APP_PATHS, createHttpApp, httpHandler } from "../../src/http/app.js";
import { safeReturnPath, SESSION_COOKIE, SESSION_LIFETIME_MS, Sessions, SIGN_IN_ATTEMPT_LIFETIME_MS, SIGN_IN_COOKIE } from "../../src/http/session.js";
import { requireSignIn, signInRoutes } from "../../src/http/sign-in.js";
import { Browser } from "../support/browser.js";
import { FakeGitHubOAuth } from "../support/fake-github-oauth.js";

const OAUTH = { clientId: "Iv1.signin0123456", clientSecret: "signin-client-secret-0123456789" };

describe("safeReturnPath", () => {
  test.each([
    ["/builds/abc", "/builds/abc"],
    ["/builds/abc?tab=log#L12", "/builds/abc?tab=log#L12"],
    ["/", "/"],
    ["/a/../builds/x", "/builds/x"],
    [undefined, "/"],
    ["", "/"],
    ["builds/abc", "/"],
    ["https://evil.example/builds", "/"],
    ["//evil.example/builds", "/"],
    ["/\\evil.example/builds", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["javascript:alert(1)", "/"],
    // Tricks that only turn into `//host` once the path is normalised, as a browser normalises it.
    ["/..//evil.example/phish", "/"],
    ["/.//evil.example", "/"],
    ["/a/../..//evil.example", "/"],
    ["/%2e%2e//evil.example", "/"],
    ["/%2E//evil.example", "/"],
    ["/./\\evil.example", "/"],
    ["/..\\/evil.example", "/"],
    ["/\t/\tevil.example", "/"],
    ["/x/..%2f/evil.example", "/x/..%2f/evil.example"],
    ["/%2f%2fevil.example", "/%2f%2fevil.example"],
  ])("%j → %j", (raw, expected) => {
    expect(safeReturnPath(raw)).toBe(expected);
  });

  test("whatever it is given, the answer is a path a browser resolves on this site", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("/", "\\", ".", "%2e", "%2f", "%5c", "\t", "\n", "a", ":", "?", "#", "@", " ") }), (tail) => {
        const path = safeReturnPath(`/${tail}`);
        expect(new URL(path, "https://app.example").origin).toBe("https://app.example");
        expect(path.startsWith("//") || path.startsWith("/\\")).toBe(false);
      }),
    );
  });

  test("a path too long to keep in the sign-in cookie → /", () => {
    expect(safeReturnPath(`/${"a".repeat(2047)}`)).toHaveLength(2048);
    expect(safeReturnPath(`/${"a".repeat(2048)}`)).toBe("/");
  });
});

describe("deriveSessionSecret", () => {
  test("is stable, depends on the webhook secret, and does not contain it", () => {
    const secret = deriveSessionSecret("webhook-secret-1");
    expect(deriveSessionSecret("webhook-secret-1")).toBe(secret);
    expect(deriveSessionSecret("webhook-secret-2")).not.toBe(secret);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
  });
});

interface Site {
  url: string;
  publicUrl: string;
  github: FakeGitHubOAuth;
  logs: string[];
  advance(ms: number): void;
  close(): Promise<void>;
}

/**
 * The sign-in routes and a page that needs a signed-in user (`/builds/:id`), served as the app
 * serves them (the Probot handler in a node:http server), against a fake GitHub at GHE-style URLs.
 */
async function startSite(options: { oauth?: typeof OAUTH | null; publicUrl?: string } = {}): Promise<Site> {
  const github = new FakeGitHubOAuth(OAUTH);
  await github.start();
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> = async () => false;
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "content-type": "text/plain" }).end("not the app's");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicUrl = options.publicUrl ?? url;
  github.callbackUrl = `${publicUrl}/login/callback`;

  let now = Date.parse("2024-05-01T12:00:00Z");
  const logs: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const settings = {
    oauth: options.oauth === null ? undefined : (options.oauth ?? OAUTH),
    githubWebUrl: github.webUrl,
    githubApiUrl: github.apiUrl,
    publicUrl,
  };
  const sessions = new Sessions(deriveSessionSecret("webhook-secret-for-tests"), publicUrl, () => now);
  const page = new Hono();
  page.get("/builds/:id", (c) => {
    const user = requireSignIn(c, { settings, sessions });
    if (user instanceof Response) return user;
    return c.text(`build ${c.req.param("id")} for ${user.login} (${user.id})`);
  });
  handler = httpHandler(createHttpApp(log, [signInRoutes({ settings, sessions, log }), page]), [...APP_PATHS, "/builds/"]);

  return {
    url,
    publicUrl,
    github,
    logs,
    advance: (ms) => void (now += ms),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await github.stop();
    },
  };
}

/** Walks a browser to GitHub's redirect back to the app, without opening it: the callback URL. */
async function callbackUrlFor(browser: Browser, site: Site, returnTo = "/builds/x"): Promise<string> {
  const login = await browser.request(`${site.publicUrl}/login?return_to=${encodeURIComponent(returnTo)}`);
  const authorize = await browser.request(login.headers.get("location")!);
  return authorize.headers.get("location")!;
}

function sessionOf(browser: Browser, site: Site): string | undefined {
  return browser.cookie(`${site.publicUrl}/`, SESSION_COOKIE);
}

describe("sign-in with GitHub over HTTP", () => {
  let site: Site;

  afterEach(async () => {
    await site.close();
  });

  describe("with the app's OAuth credentials", () => {
    beforeEach(async () => {
      site = await startSite();
    });

    test("a visitor sent to sign in goes through GitHub and comes back to the page, signed in", async () => {
      const browser = new Browser();
      const page = await browser.open(`${site.url}/builds/x?tab=log`);

      expect(page).toMatchObject({ status: 200, body: "build x for octocat (583231)", url: `${site.url}/builds/x?tab=log` });
      const [start, login, authorize, callback, back, ...more] = page.visited;
      expect(more).toEqual([]);
      expect(start).toBe(`${site.url}/builds/x?tab=log`);
      expect(login).toBe(`${site.url}/login?return_to=%2Fbuilds%2Fx%3Ftab%3Dlog`);
      const authorizeUrl = new URL(authorize!);
      expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${site.github.webUrl}/login/oauth/authorize`);
      expect(Object.fromEntries(authorizeUrl.searchParams)).toEqual({
        client_id: OAUTH.clientId,
        redirect_uri: `${site.url}/login/callback`,
        state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const callbackUrl = new URL(callback!);
      expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(`${site.url}/login/callback`);
      expect(callbackUrl.searchParams.get("state")).toBe(authorizeUrl.searchParams.get("state"));
      expect(back).toBe(`${site.url}/builds/x?tab=log`);

      const exchange = site.github.requests.find((r) => r.path === "/login/oauth/access_token");
      expect(exchange).toEqual({
        method: "POST",
        path: "/login/oauth/access_token",
        params: {
          client_id: OAUTH.clientId,
          client_secret: OAUTH.clientSecret,
          code: callbackUrl.searchParams.get("code"),
          redirect_uri: `${site.url}/login/callback`,
        },
        accept: "application/json",
        authorization: undefined,
      });
      const user = site.github.requests.find((r) => r.path === "/api/v3/user");
      expect(user?.authorization).toMatch(/^Bearer ghu_[0-9a-f]+$/);
      expect(user?.accept).toBe("application/vnd.github+json");
      expect(site.github.invalid).toEqual([]);
    });

    test("the session names the user only: no GitHub token or code in any cookie or log line", async () => {
      const browser = new Browser();
      await browser.open(`${site.url}/builds/x`);

      const session = sessionOf(browser, site)!;
      const payload = JSON.parse(Buffer.from(session.split(".")[0]!, "base64url").toString("utf8")) as Record<string, unknown>;
      expect(Object.keys(payload).sort()).toEqual(["exp", "id", "login"]);
      expect(payload).toMatchObject({ login: "octocat", id: 583231 });
      expect(site.github.issued.length).toBeGreaterThanOrEqual(3);
      const kept = [...browser.setCookieHeaders, ...site.logs].join("\n");
      for (const secret of [...site.github.issued, OAUTH.clientSecret]) expect(kept).not.toContain(secret);
    });

    test("the sign-in cookie is used up by the callback, and later pages need no new sign-in", async () => {
      const browser = new Browser();
      await browser.open(`${site.url}/builds/x`);
      expect(browser.cookie(`${site.url}/login/callback`, SIGN_IN_COOKIE)).toBeUndefined();

      const again = await browser.open(`${site.url}/builds/y`);
      expect(again).toMatchObject({ status: 200, body: "build y for octocat (583231)", visited: [`${site.url}/builds/y`] });
      expect(site.github.requests.filter((r) => r.path === "/login/oauth/authorize")).toHaveLength(1);
    });

    test("a visitor who is not signed in is sent to sign in, coming back to the same page", async () => {
      const response = await new Browser().request(`${site.url}/builds/abc?tab=log`);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/login?return_to=%2Fbuilds%2Fabc%3Ftab%3Dlog");
    });

    test("cookies: HttpOnly, SameSite=Lax, not Secure over http; the session lasts 8 hours at /, the sign-in 10 minutes at /login", async () => {
      const browser = new Browser();
      await browser.open(`${site.url}/builds/x`);
      const [signIn, signInUsed, session, ...more] = browser.setCookieHeaders;
      expect(more).toEqual([]);
      expect(signIn).toMatch(new RegExp(`^${SIGN_IN_COOKIE}=[\\w-]+\\.[\\w-]+; Max-Age=600; Path=/login; HttpOnly; SameSite=Lax$`));
      expect(signInUsed).toBe(`${SIGN_IN_COOKIE}=; Max-Age=0; Path=/login; HttpOnly; SameSite=Lax`);
      expect(session).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]+\\.[\\w-]+; Max-Age=28800; Path=/; HttpOnly; SameSite=Lax$`));
    });

    test("sign-in answers are never cached and never send their URL on as a referrer", async () => {
      const browser = new Browser();
      const callbackUrl = await callbackUrlFor(browser, site);
      const callback = await browser.request(callbackUrl);
      expect(callback.status).toBe(302);
      expect(callback.headers.get("cache-control")).toBe("no-store");
      expect(callback.headers.get("referrer-policy")).toBe("no-referrer");
    });

    test("a callback whose state differs from the browser's sign-in is refused, and the real one still works", async () => {
      const browser = new Browser();
      const callbackUrl = new URL(await callbackUrlFor(browser, site));
      const forged = new URL(callbackUrl);
      forged.searchParams.set("state", "forged-state");

      const refused = await browser.open(forged.toString());
      expect(refused.status).toBe(400);
      expect(refused.body).toContain("This sign-in cannot be finished");
      expect(refused.body).toContain('<a href="/login?return_to=%2F">Sign in again</a>');
      expect(refused.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(site.github.requests.filter((r) => r.path === "/login/oauth/access_token")).toEqual([]);
      expect(sessionOf(browser, site)).toBeUndefined();

      const genuine = await browser.open(callbackUrl.toString());
      expect(genuine).toMatchObject({ status: 200, url: `${site.url}/builds/x` });
    });

    test("a callback URL opened in another browser (no sign-in cookie) is refused before the code is exchanged", async () => {
      const callbackUrl = await callbackUrlFor(new Browser(), site);
      const other = new Browser();
      const refused = await other.open(callbackUrl);
      expect(refused.status).toBe(400);
      expect(sessionOf(other, site)).toBeUndefined();
      expect(site.github.requests.filter((r) => r.path === "/login/oauth/access_token")).toEqual([]);
    });

    test("a code already exchanged is refused by GitHub: an error page, no session", async () => {
      const browser = new Browser();
      const first = await browser.open(`${site.url}/builds/x`);
      const usedCode = new URL(first.visited[3]!).searchParams.get("code")!;
      await browser.open(`${site.url}/logout`, { method: "POST" });

      const replay = new URL(await callbackUrlFor(browser, site, "/builds/y"));
      replay.searchParams.set("code", usedCode);
      const refused = await browser.open(replay.toString());

      expect(refused.status).toBe(400);
      expect(refused.body).toContain("GitHub refused the sign-in: The code passed is incorrect or expired.");
      expect(refused.body).toContain('<a href="/login?return_to=%2Fbuilds%2Fy">Sign in again</a>');
      expect(sessionOf(browser, site)).toBeUndefined();
      expect((await browser.request(`${site.url}/builds/y`)).status).toBe(302);
    });

    test("a sign-in not finished within 10 minutes must start again", async () => {
      const browser = new Browser();
      const callbackUrl = await callbackUrlFor(browser, site);
      site.advance(SIGN_IN_ATTEMPT_LIFETIME_MS);
      const late = await browser.open(callbackUrl);
      expect(late.status).toBe(400);
      expect(sessionOf(browser, site)).toBeUndefined();
    });

    test.each(["https://evil.example/builds/x", "//evil.example/builds/x", "/\\evil.example/builds/x"])(
      "return_to=%s comes back to / instead",
      async (returnTo) => {
        const page = await new Browser().open(`${site.url}/login?return_to=${encodeURIComponent(returnTo)}`);
        expect(page.url).toBe(`${site.url}/`);
        expect(page.visited.every((url) => new URL(url).hostname === "127.0.0.1")).toBe(true);
      },
    );

    test("a session cookie changed in the browser is ignored", async () => {
      const browser = new Browser();
      await browser.open(`${site.url}/builds/x`);
      const [payload, mac] = sessionOf(browser, site)!.split(".");
      const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, login: "admin", id: 1 })).toString("base64url");
      browser.replaceCookie(`${site.url}/`, SESSION_COOKIE, `${forged}.${mac}`);

      const response = await browser.request(`${site.url}/builds/x`);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/login?return_to=%2Fbuilds%2Fx");
    });

    test("another cookie's signed value is not a session", async () => {
      const browser = new Browser();
      await browser.open(`${site.url}/builds/x`);
      await browser.request(`${site.url}/login?return_to=/builds/x`);
      browser.replaceCookie(`${site.url}/`, SESSION_COOKIE, browser.cookie(`${site.url}/login`, SIGN_IN_COOKIE)!);

      expect((await browser.request(`${site.url}/builds/x`)).status).toBe(302);
    });

    test("a session ends after 8 hours whatever the browser keeps", async () => {
      const browser = new Browser();
      await browser.open(`${site.url}/builds/x`);
      site.advance(SESSION_LIFETIME_MS - 1);
      expect((await browser.request(`${site.url}/builds/x`)).status).toBe(200);
      site.advance(1);
      const expired = await browser.request(`${site.url}/builds/x`);
      expect(expired.status).toBe(302);
      expect(sessionOf(browser, site)).toBeDefined();
    });

    test("POST /logout clears the session and goes to /", async () => {
      const browser = new Browser();
      await browser.open(`${site.url}/builds/x`);
      const logout = await browser.request(`${site.url}/logout`, "POST");
      expect(logout.status).toBe(303);
      expect(logout.headers.get("location")).toBe("/");
      expect(logout.headers.getSetCookie()).toEqual([`${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`]);
      expect(sessionOf(browser, site)).toBeUndefined();
      expect((await browser.request(`${site.url}/builds/x`)).status).toBe(302);
    });

    test("a visitor who cancels on GitHub is told so and is not signed in", async () => {
      site.github.denies = true;
      const browser = new Browser();
      const page = await browser.open(`${site.url}/builds/x`);
      expect(page.status).toBe(403);
      expect(page.body).toContain("You did not authorize the app on GitHub");
      expect(page.body).toContain('<a href="/login?return_to=%2Fbuilds%2Fx">Sign in again</a>');
      expect(sessionOf(browser, site)).toBeUndefined();
    });

    test("GitHub failing to name the user: 502, logged for the operator without the token", async () => {
      site.github.userStatus = 500;
      const browser = new Browser();
      const page = await browser.open(`${site.url}/builds/x`);
      expect(page.status).toBe(502);
      expect(sessionOf(browser, site)).toBeUndefined();
      const logged = site.logs.join("\n");
      expect(logged).toContain("GitHub answered 500 to GET /user");
      for (const secret of site.github.issued) expect(logged).not.toContain(secret);
    });

    test("GitHub unreachable at the callback: 502, and the log says which request failed", async () => {
      const browser = new Browser();
      const callbackUrl = await callbackUrlFor(browser, site);
      await site.github.stop();
      const page = await browser.open(callbackUrl);
      expect(page.status).toBe(502);
      expect(page.body).toContain("GitHub could not complete the sign-in");
      expect(site.logs.join("\n")).toContain(
        `GitHub did not answer POST /login/oauth/access_token at ${site.github.webUrl}/login/oauth/access_token: ECONNREFUSED`,
      );
      expect(sessionOf(browser, site)).toBeUndefined();
    });
  });

  test("wrong client credentials: 502 for the visitor, the fix in the log, the secret nowhere", async () => {
    site = await startSite({ oauth: { clientId: OAUTH.clientId, clientSecret: "not-the-client-secret" } });
    const page = await new Browser().open(`${site.url}/builds/x`);
    expect(page.status).toBe(502);
    const logged = site.logs.join("\n");
    expect(logged).toContain("GitHub answered incorrect_client_credentials to POST /login/oauth/access_token: check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET");
    expect(logged).not.toContain("not-the-client-secret");
  });

  test("behind HTTPS (PUBLIC_URL https) the cookies are Secure and the flow still works", async () => {
    site = await startSite({ publicUrl: "https://builds.example" });
    const browser = new Browser({ "https://builds.example": site.url });
    const page = await browser.open("https://builds.example/builds/x");

    expect(page).toMatchObject({ status: 200, body: "build x for octocat (583231)", url: "https://builds.example/builds/x" });
    expect(site.github.requests.find((r) => r.path === "/login/oauth/authorize")?.params.redirect_uri).toBe("https://builds.example/login/callback");
    expect(browser.setCookieHeaders).toHaveLength(3);
    for (const header of browser.setCookieHeaders) expect(header).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
  });

  test("without GITHUB_CLIENT_ID/SECRET, sign-in and private pages answer 503 saying what to set", async () => {
    site = await startSite({ oauth: null });
    const browser = new Browser();
    for (const path of ["/login?return_to=/builds/x", "/login/callback?code=c&state=s", "/builds/x"]) {
      const page = await browser.open(`${site.url}${path}`);
      expect(page.status).toBe(503);
      expect(JSON.parse(page.body)).toEqual({
        error: { code: "oauth_not_configured", message: expect.stringContaining("set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET") },
      });
    }
    expect(site.github.requests).toEqual([]);
  });
});
