import { execFile } from "node:child_process";
import { promisify } from "node:util";
import nock from "nock";
import { freePort } from "./app.js";
import { FakeGitHub, NO_REPLY } from "./fake-github.js";

const run = promisify(execFile);

/** Runs `script` in a separate Node process (where nock is not installed) and returns what it printed. */
async function inChildProcess(script: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["-e", script], { timeout: 10_000 });
  return stdout.trim();
}

let github: FakeGitHub;

beforeEach(async () => {
  github = new FakeGitHub(await freePort());
  // As startTestApp allows it: 127.0.0.1 except the fake's own host.
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1:") && host !== github.host);
  github.install();
});

afterEach(async () => {
  await github.close();
  nock.cleanAll();
  nock.enableNetConnect();
  github.uninstall();
});

describe("failNext", () => {
  test("answers the next matching request with the status, then routes as usual", async () => {
    github.failNext("GET", /^\/api\/v3\/app$/, 502);
    const failed = await fetch(`${github.origin}/api/v3/app`);
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ message: "Bad Gateway" });
    const answered = await fetch(`${github.origin}/api/v3/app`);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ slug: "codebuild-checks" });
  });

  test.each([403, 429])("%d is GitHub's secondary rate limit, with retry-after", async (status) => {
    github.failNext("post", /check-runs$/, status);
    const res = await fetch(`${github.origin}/api/v3/repos/octo/app/check-runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "CodeBuild", head_sha: "a".repeat(40) }),
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(((await res.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect(github.checkRuns.size).toBe(0);
  });

  test("counts down over `count` requests; other methods and paths are not touched", async () => {
    github.failNext("GET", /\/app\/hook\/deliveries/, 503, 2);
    expect((await fetch(`${github.origin}/api/v3/app`)).status).toBe(200);
    expect((await fetch(`${github.origin}/api/v3/app/hook/deliveries/1/attempts`, { method: "POST" })).status).toBe(404);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${github.origin}/api/v3/app/hook/deliveries`)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  test("failed answers are recorded with their status, and still checked against GitHub's description", async () => {
    github.failNext("GET", /deliveries/, 500);
    await fetch(`${github.origin}/api/v3/app/hook/deliveries?per_page=many`);
    expect(github.requests).toContainEqual(expect.objectContaining({ method: "GET", path: "/api/v3/app/hook/deliveries?per_page=many", failedWith: 500 }));
    expect(github.invalidRequests).toEqual([
      expect.objectContaining({ path: "/app/hook/deliveries?per_page=many", problems: ["query.per_page: must be integer"] }),
    ]);
  });
});

describe("webhook deliveries", () => {
  test("listed newest first, page by page through the Link header's cursor", async () => {
    const ids = Array.from({ length: 5 }, (_, i) => github.addDelivery({ guid: `g${i}` }).id);
    const pages: number[][] = [];
    let next: string | undefined = `${github.origin}/api/v3/app/hook/deliveries?per_page=2`;
    while (next) {
      const res: Response = await fetch(next);
      pages.push(((await res.json()) as { id: number }[]).map((d) => d.id));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
      if (next) expect(next).toMatch(/[?&]cursor=v1_\d+/);
    }
    expect(pages).toEqual([ids.slice(3).reverse(), ids.slice(1, 3).reverse(), [ids[0]]]);
    expect(github.invalidRequests).toEqual([]);
  });

  test("the status filter splits 2xx–3xx from 4xx–5xx, as GitHub's does", async () => {
    github.addDelivery({ guid: "ok" });
    github.addDelivery({ guid: "down", status_code: 502 });
    const failed = (await (await fetch(`${github.origin}/api/v3/app/hook/deliveries?status=failure`)).json()) as { guid: string }[];
    expect(failed.map((d) => d.guid)).toEqual(["down"]);
  });

  test("a redelivery is accepted (202), recorded, and handed to onRedeliver", async () => {
    const delivery = github.addDelivery({ guid: "lost", status_code: 0, event: "pull_request", action: "opened" });
    const handed: string[] = [];
    github.onRedeliver = (d) => handed.push(d.guid);
    const res = await fetch(`${github.origin}/api/v3/app/hook/deliveries/${delivery.id}/attempts`, { method: "POST" });
    expect(res.status).toBe(202);
    expect(github.redeliveries).toEqual([delivery.id]);
    expect(handed).toEqual(["lost"]);
    expect((await fetch(`${github.origin}/api/v3/app/hook/deliveries/999999/attempts`, { method: "POST" })).status).toBe(404);
    expect(github.invalidRequests).toEqual([]);
  });
});

describe("serve", () => {
  test("another process reaches the fake over real HTTP", async () => {
    await github.serve();
    const slug = await inChildProcess(`fetch("${github.origin}/api/v3/app").then((r) => r.json()).then((j) => console.log(j.slug))`);
    expect(slug).toBe("codebuild-checks");
  });

  test("bodies go in, and status, headers and bodies come back", async () => {
    await github.serve();
    github.addDelivery({ guid: "a" });
    github.addDelivery({ guid: "b" });
    const link = await inChildProcess(`fetch("${github.origin}/api/v3/app/hook/deliveries?per_page=1").then((r) => console.log(r.headers.get("link")))`);
    expect(link).toMatch(/cursor=v1_\d+>; rel="next"$/);
    const created = await inChildProcess(
      `fetch("${github.origin}/api/v3/repos/octo/app/check-runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "CodeBuild", head_sha: "${"b".repeat(40)}" }) })` +
        `.then(async (r) => console.log(r.status, (await r.json()).name))`,
    );
    expect(created).toBe("201 CodeBuild");
    expect(github.runsFor("b".repeat(40))).toHaveLength(1);
  });

  test("injected faults reach the other process too", async () => {
    await github.serve();
    github.failNext("GET", /^\/api\/v3\/app$/, 403);
    const answer = await inChildProcess(`fetch("${github.origin}/api/v3/app").then((r) => console.log(r.status, r.headers.get("retry-after")))`);
    expect(answer).toBe("403 1");
  });

  test("invalid and unanswerable requests from the other process are recorded", async () => {
    await github.serve();
    const statuses = await inChildProcess(
      `(async () => { for (const p of ["/api/v3/app/hook/deliveries?per_page=many", "/api/v3/repos/octo/app/check-runz"]) console.log((await fetch("${github.origin}" + p)).status) })()`,
    );
    expect(statuses.split("\n")).toEqual(["200", "404"]);
    expect(github.invalidRequests).toEqual([
      expect.objectContaining({ method: "GET", path: "/app/hook/deliveries?per_page=many", problems: ["query.per_page: must be integer"] }),
      expect.objectContaining({ method: "GET", path: "/repos/octo/app/check-runz", problems: expect.arrayContaining([NO_REPLY]) }),
    ]);
  });

  test("serving needs no nock: with its interceptors gone, another process is still answered (the demo runs without nock)", async () => {
    await github.serve();
    nock.cleanAll();
    nock.enableNetConnect();
    const answer = await inChildProcess(
      `fetch("${github.origin}/api/v3/app", { signal: AbortSignal.timeout(3000) }).then(async (r) => console.log(r.status, (await r.json()).slug), (e) => console.log(e.name))`,
    );
    expect(answer).toBe("200 codebuild-checks");
  });

  test("uninstall removes the fake's interceptors from this process", async () => {
    github.uninstall();
    nock.enableNetConnect();
    await expect(fetch(`${github.origin}/api/v3/app`)).rejects.toThrow();
  });

  test("close stops serving", async () => {
    await github.serve();
    await github.close();
    const answer = await inChildProcess(`fetch("${github.origin}/api/v3/app").then(() => console.log("answered"), () => console.log("refused"))`);
    expect(answer).toBe("refused");
  });
});
