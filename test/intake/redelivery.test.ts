import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import {
  MAX_ATTEMPTS_PER_DELIVERY,
  MAX_REDELIVERIES_PER_SWEEP,
  MissedDeliveries,
  missedDeliveries,
  REDELIVERY_PATIENCE_MS,
  type DeliveryAttempt,
  type RequestedRedelivery,
} from "../../src/intake/redelivery.js";
import { freePort, waitFor } from "../support/app.js";
import { FakeGitHub, testPrivateKey } from "../support/fake-github.js";
import { GITHUB_DELIVERY_RETENTION_MS } from "../../src/domain/github-deliveries.js";

const MINUTE = 60_000;
const NOW = Date.parse("2024-05-04T12:00:00Z");

describe("missedDeliveries", () => {
  let nextId = 1;
  const attempt = (guid: string, minutesAgo: number, status_code: number): DeliveryAttempt => ({
    id: nextId++,
    guid,
    delivered_at: new Date(NOW - minutesAgo * MINUTE).toISOString(),
    status_code,
    event: "push",
    action: null,
  });
  const asked = (guid: string, attemptId: number, minutesAgo: number, count = 1): [string, RequestedRedelivery] => [
    guid,
    { attemptId, at: NOW - minutesAgo * MINUTE, count },
  ];
  const since = NOW - 60 * MINUTE;

  const a1 = attempt("a", 10, 502);
  const timedOut = attempt("a", 10, 0);
  const redirected = attempt("a", 10, 302);
  const [b1, b2] = [attempt("b", 20, 502), attempt("b", 10, 200)];
  const [c1, c2] = [attempt("c", 20, 200), attempt("c", 10, 500)];
  const stale = attempt("d", 61, 502);
  const [e1, e2] = [attempt("e", 90, 502), attempt("e", 5, 502)];
  const used = Array.from({ length: MAX_ATTEMPTS_PER_DELIVERY }, (_, i) => attempt("f", 50 - i, 502));
  const tooMany = Array.from({ length: MAX_ATTEMPTS_PER_DELIVERY - 1 }, (_, i) => attempt("f", 50 - i, 502));
  const newest = (attempts: DeliveryAttempt[]) => attempts.at(-1)!.id;

  test.each<[string, DeliveryAttempt[], [string, RequestedRedelivery][], [string, number][]]>([
    ["one failed attempt is missed", [a1], [], [["a", a1.id]]],
    ["an attempt GitHub got no answer to (timed out, could not connect) is missed", [timedOut], [], [["a", timedOut.id]]],
    ["a redirect is no success", [redirected], [], [["a", redirected.id]]],
    ["a failed attempt then a successful one is not", [b1, b2], [], []],
    ["a success then a failed manual redelivery is not", [c1, c2], [], []],
    ["outside the window, it was an earlier sweep's", [stale], [], []],
    ["the newest attempt decides the window, and is the one redelivered", [e2, e1], [], [["e", e2.id]]],
    ["after its attempts are used up, a delivery is left failed", used, [], []],
    ["asked for recently and GitHub has listed no new attempt: still awaited", [a1], [asked("a", a1.id, 1)], []],
    ["asked for longer ago than GitHub takes: asked again", [a1], [asked("a", a1.id, REDELIVERY_PATIENCE_MS / MINUTE + 1)], [["a", a1.id]]],
    ["asked for, and the attempt GitHub made failed too: asked again", [e1, e2], [asked("e", e1.id, 6)], [["e", e2.id]]],
    ["redeliveries this process asked for count as attempts", [a1], [asked("a", 0, 100, MAX_ATTEMPTS_PER_DELIVERY - 1)], []],
    ["one attempt short of the limit is still asked for", tooMany, [], [["f", newest(tooMany)]]],
  ])("%s", (_what, attempts, requested, expected) => {
    const missed = missedDeliveries(attempts, { since, now: NOW, requested: new Map(requested) });
    expect(missed.map((m) => [m.guid, m.attemptId])).toEqual(expected);
  });

  test("newest first, one per delivery, with its event and attempt count", () => {
    const attempts = [
      attempt("old", 30, 502),
      attempt("new", 2, 0),
      attempt("old", 20, 503),
      { ...attempt("mid", 10, 500), event: "pull_request", action: "opened" },
    ];
    expect(missedDeliveries(attempts, { since, now: NOW, requested: new Map() })).toEqual([
      expect.objectContaining({ guid: "new", attempts: 1 }),
      expect.objectContaining({ guid: "mid", event: "pull_request", action: "opened", attempts: 1 }),
      expect.objectContaining({ guid: "old", attemptId: attempts[2]!.id, attempts: 2 }),
    ]);
  });
});

describe("MissedDeliveries.sweep", () => {
  let github: FakeGitHub;
  let probot: Probot;
  let clock: number;
  let recorded: Set<string>;
  let lookedUp: string[];
  let logged: { level: number; msg: string; [key: string]: unknown }[];
  let missed: MissedDeliveries;
  const ago = (ms: number) => new Date(clock - ms).toISOString();
  const deliveryPagesListed = () => github.requests.filter((r) => r.method === "GET" && r.path.startsWith("/api/v3/app/hook/deliveries")).length;

  beforeEach(async () => {
    github = new FakeGitHub(await freePort());
    nock.disableNetConnect();
    github.install();
    // Octokit as Probot makes it, but without waits: no throttling, retries at once.
    const Octokit = ProbotOctokit.defaults((options: object) => ({ ...options, throttle: { enabled: false }, retry: { retryAfterBaseValue: 1 } }));
    probot = new Probot({ appId: 1, privateKey: testPrivateKey(), baseUrl: `${github.origin}/api/v3`, log: pino({ level: "silent" }), Octokit });
    clock = NOW;
    recorded = new Set();
    lookedUp = [];
    logged = [];
    const log = pino({ level: "debug" }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    missed = new MissedDeliveries({
      octokit: () => probot.auth(),
      known: async (guid) => (lookedUp.push(guid), recorded.has(guid)),
      log,
      now: () => clock,
    });
  });

  afterEach(async () => {
    await missed.stop();
    nock.cleanAll();
    nock.enableNetConnect();
    github.uninstall();
    expect(github.invalidRequests).toEqual([]);
  });

  test("asks GitHub again for failed deliveries the app has no record of, and for nothing else", async () => {
    github.addDelivery({ guid: "too-old", status_code: 502, delivered_at: ago(GITHUB_DELIVERY_RETENTION_MS + MINUTE) });
    github.addDelivery({ guid: "recovered", status_code: 502, delivered_at: ago(30 * MINUTE) });
    github.addDelivery({ guid: "recovered", status_code: 200, delivered_at: ago(29 * MINUTE), redelivery: true });
    github.addDelivery({ guid: "recorded", status_code: 0, delivered_at: ago(20 * MINUTE) });
    const lost = github.addDelivery({ guid: "lost", status_code: 503, delivered_at: ago(10 * MINUTE), event: "pull_request", action: "synchronize" });
    github.addDelivery({ guid: "fine", delivered_at: ago(MINUTE) });
    recorded.add("recorded");

    expect(await missed.sweep()).toEqual({ listed: 6, failed: 2, redelivered: 1 });
    expect(github.redeliveries).toEqual([lost.id]);
    expect(lookedUp).toEqual(["lost", "recorded"]);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: "missed webhook deliveries: asked GitHub to redeliver", guid: "lost", event: "pull_request" }),
    );
    expect(logged).toContainEqual(expect.objectContaining({ msg: "missed webhook deliveries: 6 listed, 2 failed, 1 redelivered", redelivered: 1 }));
  });

  test("pages back to the window and no further: 3 days at start-up, then since the last sweep", async () => {
    for (let i = 0; i < 120; i++)
      github.addDelivery({ guid: `gone-${i}`, status_code: 502, delivered_at: ago(GITHUB_DELIVERY_RETENTION_MS + (120 - i) * MINUTE) });
    for (let i = 0; i < 150; i++) github.addDelivery({ guid: `ok-${i}`, delivered_at: ago((150 - i) * MINUTE) });

    expect(await missed.sweep()).toEqual({ listed: 200, failed: 0, redelivered: 0 });
    expect(deliveryPagesListed()).toBe(2);

    clock += 5 * MINUTE;
    const fresh = github.addDelivery({ guid: "fresh", status_code: 502, delivered_at: ago(MINUTE) });
    expect(await missed.sweep()).toEqual({ listed: 100, failed: 1, redelivered: 1 });
    expect(deliveryPagesListed()).toBe(3);
    expect(github.redeliveries).toEqual([fresh.id]);
  });

  test("does not ask twice while GitHub has not tried yet; asks again when the redelivery failed too", async () => {
    const first = github.addDelivery({ guid: "lost", status_code: 502, delivered_at: ago(2 * MINUTE) });
    await missed.sweep();
    clock += 5 * MINUTE;
    expect(await missed.sweep()).toMatchObject({ failed: 0, redelivered: 0 });
    expect(github.redeliveries).toEqual([first.id]);

    const again = github.addDelivery({ guid: "lost", status_code: 502, delivered_at: ago(MINUTE), redelivery: true });
    clock += 5 * MINUTE;
    expect(await missed.sweep()).toMatchObject({ failed: 1, redelivered: 1 });
    expect(github.redeliveries).toEqual([first.id, again.id]);
  });

  test("asks for at most a sweep's worth, newest first; the next sweep takes the rest", async () => {
    const lost = Array.from({ length: MAX_REDELIVERIES_PER_SWEEP + 20 }, (_, i) =>
      github.addDelivery({ guid: `lost-${i}`, status_code: 502, delivered_at: ago((200 - i) * MINUTE) }),
    );
    const newestFirst = lost.map((d) => d.id).reverse();

    expect(await missed.sweep()).toMatchObject({ redelivered: MAX_REDELIVERIES_PER_SWEEP });
    expect(github.redeliveries).toEqual(newestFirst.slice(0, MAX_REDELIVERIES_PER_SWEEP));

    clock += 5 * MINUTE;
    expect(await missed.sweep()).toMatchObject({ redelivered: 20 });
    expect(github.redeliveries).toEqual(newestFirst);
  });

  test("a redelivery GitHub refuses does not stop the others, and keeps the window where it was", async () => {
    const refused = github.addDelivery({ guid: "refused", status_code: 502, delivered_at: ago(2 * 3_600_000) });
    const other = github.addDelivery({ guid: "other", status_code: 502, delivered_at: ago(MINUTE) });
    github.failNext("POST", new RegExp(`/deliveries/${refused.id}/attempts$`), 422);

    expect(await missed.sweep()).toMatchObject({ failed: 2, redelivered: 1 });
    expect(github.redeliveries).toEqual([other.id]);
    expect(logged).toContainEqual(expect.objectContaining({ msg: "missed webhook deliveries: GitHub did not accept a redelivery", guid: "refused" }));

    clock += 5 * MINUTE;
    expect(await missed.sweep()).toMatchObject({ redelivered: 1 });
    expect(github.redeliveries).toEqual([other.id, refused.id]);
  });

  test("a passing GitHub error is retried by Octokit", async () => {
    const lost = github.addDelivery({ guid: "lost", status_code: 502, delivered_at: ago(MINUTE) });
    github.failNext("GET", /\/app\/hook\/deliveries/, 502);
    github.failNext("POST", /\/attempts$/, 503);
    expect(await missed.sweep()).toMatchObject({ redelivered: 1 });
    expect(github.redeliveries).toEqual([lost.id]);
    expect(github.requests.filter((r) => r.failedWith).map((r) => r.failedWith)).toEqual([502, 503]);
  });

  test.each([
    ["the store cannot be read", () => (recorded = { has: () => Promise.reject(new Error("store down")) } as unknown as Set<string>)],
    ["GitHub keeps failing", () => github.failNext("GET", /\/app\/hook\/deliveries/, 500, 10)],
  ])("a sweep never throws: %s is logged and nothing is redelivered", async (_what, breakIt) => {
    github.addDelivery({ guid: "lost", status_code: 502, delivered_at: ago(MINUTE) });
    breakIt();
    await expect(missed.sweep()).resolves.toMatchObject({ redelivered: 0 });
    expect(github.redeliveries).toEqual([]);
    expect(logged).toContainEqual(expect.objectContaining({ level: 50, msg: "missed webhook deliveries: the sweep failed; the next one tries again" }));
  });

  test("start sweeps at once and then every interval, until stopped", async () => {
    const first = github.addDelivery({ guid: "first", status_code: 502, delivered_at: ago(MINUTE) });
    missed.start(20);
    await waitFor(() => github.redeliveries.includes(first.id), "the start-up sweep");
    const second = github.addDelivery({ guid: "second", status_code: 502, delivered_at: ago(0) });
    await waitFor(() => github.redeliveries.includes(second.id), "a periodic sweep");

    await missed.stop();
    github.addDelivery({ guid: "third", status_code: 502, delivered_at: ago(0) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(github.redeliveries).toEqual([first.id, second.id]);
  });
});
