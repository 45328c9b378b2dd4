import { SECONDARY_LIMIT_PAUSE_MS, rateLimitPause } from "../../src/domain/github-rate-limit.js";
import { GitHubWriteBudget, GitHubWriteBudgets, writeSpacingMs, type CheckWriteKind } from "../../src/ports/write-budget.js";
import { FairQueue } from "../../src/intake/fair-queue.js";
import { FakeClock } from "../support/fake-clock.js";

const NOW = 1_700_000_000_000;

/** An Octokit RequestError as GitHub's answer turns into one. */
function answer(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), { name: "HttpError", status, response: { status, headers, data: { message } } });
}

describe("rateLimitPause", () => {
  test.each<[string, unknown, number | undefined]>([
    ["429 with retry-after", answer(429, "Too Many Requests", { "retry-after": "30" }), 30_000],
    ["429 without retry-after: a minute", answer(429, "Too Many Requests"), SECONDARY_LIMIT_PAUSE_MS],
    ["403 secondary rate limit with retry-after", answer(403, "You have exceeded a secondary rate limit", { "retry-after": "5" }), 5_000],
    ["403 secondary rate limit without retry-after: a minute", answer(403, "You have exceeded a secondary rate limit. Please wait"), SECONDARY_LIMIT_PAUSE_MS],
    [
      "403 with the primary limit spent: until the reset, and a second",
      answer(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 120) }),
      121_000,
    ],
    ["403 refusal (a missing permission): not a limit", answer(403, "Resource not accessible by integration"), undefined],
    ["422: not a limit", answer(422, "Validation Failed"), undefined],
    ["500: not a limit", answer(500, "Server Error"), undefined],
    ["not an HTTP answer", new Error("socket hang up"), undefined],
    ["not an error", "oops", undefined],
  ])("%s", (_, error, expected) => {
    expect(rateLimitPause(error, NOW)).toBe(expected);
  });
});

describe("writeSpacingMs", () => {
  test.each([
    [60, 1_000],
    [120, 500],
    [6_000, 10],
  ])("%p a minute → a write every %p ms", (perMinute, expected) => {
    expect(writeSpacingMs(perMinute)).toBe(expected);
  });
});

interface Sent {
  key: string;
  version: number;
  at: number;
}

/** How a submitted write that went resolves (the harness's writes answer nothing). */
const sentOutcome = { status: "sent", value: undefined };

/** Writes that ran although a newer one for their check run had been submitted: must stay empty. */
let staleWrites: Sent[] = [];
beforeEach(() => (staleWrites = []));
afterEach(() => expect(staleWrites).toEqual([]));

/** A budget whose writes record themselves, and record themselves as stale when a newer one was submitted. */
function harness(options: { perMinute?: number } = {}) {
  const clock = new FakeClock(NOW);
  const errors: [string, unknown][] = [];
  const budget = new GitHubWriteBudget({ perMinute: options.perMinute ?? 60, clock, onError: (key, error) => errors.push([key, error]) });
  const sent: Sent[] = [];
  const latest = new Map<string, number>();
  const latestCompletion = new Map<string, number>();
  let version = 0;
  const submit = (key: string, kind: CheckWriteKind = "progress", fail?: unknown) => {
    const mine = ++version;
    latest.set(key, mine);
    if (kind === "completion") latestCompletion.set(key, mine);
    let failure = fail;
    return budget.submit(key, kind, async () => {
      // Progress never replaces a completion, so a completion is stale only behind a newer completion.
      if ((kind === "completion" ? latestCompletion : latest).get(key) !== mine) staleWrites.push({ key, version: mine, at: clock.now() });
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      sent.push({ key, version: mine, at: clock.now() });
    });
  };
  return { clock, budget, sent, errors, submit };
}

function mostInAnyWindow(times: number[], windowMs: number): number {
  return Math.max(0, ...times.map((start) => times.filter((t) => t >= start && t < start + windowMs).length));
}

describe("GitHubWriteBudget", () => {
  test("100 check runs updated every few seconds for 10 minutes: at most 60 writes in any minute, each run updated at least every 100 s", async () => {
    const { clock, budget, sent, submit } = harness({ perMinute: 60 });
    const keys = Array.from({ length: 100 }, (_, i) => `run-${i}`);
    let stopped = false;
    keys.forEach((key, i) => {
      const every = 3_000 + (i % 5) * 1_000;
      const tick = () => {
        if (stopped) return;
        void submit(key);
        clock.setTimer(every, tick);
      };
      clock.setTimer((i * 37) % 5_000, tick);
    });
    await clock.advance(600_000);
    stopped = true;
    const times = sent.map((s) => s.at);
    expect(mostInAnyWindow(times, 60_000)).toBe(60);
    expect(sent.length).toBeGreaterThanOrEqual(599);
    // keys × 60 / perMinute = 100 s between two updates of one run, and a write's spacing of slack.
    for (const key of keys) {
      const at = [NOW, ...sent.filter((s) => s.key === key).map((s) => s.at), clock.now()];
      const gaps = at.slice(1).map((t, i) => t - at[i]!);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(100_000 + 5_000);
    }
    await clock.advance(200_000);
    await budget.drain();
    expect(budget.waiting).toBe(0);
  });

  test("an hourly cap holds content creations to that many in any hour, in a burst if they come so; changes go on meanwhile", async () => {
    const clock = new FakeClock(NOW);
    const budget = new GitHubWriteBudget({ perMinute: 600, perHour: 10, clock });
    const created: number[] = [];
    const changed: number[] = [];
    const creations = Array.from({ length: 25 }, () => budget.once("creates", async () => void created.push(clock.now() - NOW)));
    await clock.advance(5_000);
    expect(created).toEqual(Array.from({ length: 10 }, (_, i) => i * 100));
    const updates = Array.from({ length: 5 }, (_, i) => budget.submit(`run-${i}`, "progress", async () => void changed.push(clock.now() - NOW)));
    await clock.advance(1_000);
    expect(changed).toHaveLength(5);
    expect(created).toHaveLength(10);
    await clock.advance(3_600_000);
    expect(created.slice(10)).toEqual(Array.from({ length: 10 }, (_, i) => 3_600_000 + i * 100));
    await clock.advance(3_600_000);
    await Promise.all([...creations, ...updates]);
    expect(mostInAnyWindow(created, 3_600_000)).toBe(10);
    expect(created).toHaveLength(25);
  });

  test("a newer write for a check run replaces the waiting one, which never runs and resolves with it", async () => {
    const { clock, sent, submit } = harness();
    const first = submit("a");
    const replaced = submit("b");
    const newer = submit("b");
    await clock.advance(5_000);
    await expect(Promise.all([first, replaced, newer])).resolves.toEqual([sentOutcome, sentOutcome, sentOutcome]);
    expect(sent.map((s) => [s.key, s.version])).toEqual([
      ["a", 1],
      ["b", 3],
    ]);
  });

  test("a replaced write keeps its check run's place in the queue", async () => {
    const { clock, sent, submit } = harness();
    for (const key of ["a", "b", "c", "d"]) void submit(key);
    await clock.advance(100);
    void submit("b");
    void submit("e");
    await clock.advance(10_000);
    expect(sent.map((s) => s.key)).toEqual(["a", "b", "c", "d", "e"]);
    expect(sent[1]!.version).toBe(5);
  });

  test.each<[string, [CheckWriteKind, string][], string[]]>([
    [
      "a completion replaces waiting progress",
      [
        ["progress", "p1"],
        ["completion", "c1"],
      ],
      ["c1"],
    ],
    [
      "later progress does not replace a waiting completion",
      [
        ["completion", "c1"],
        ["progress", "p2"],
      ],
      ["c1"],
    ],
    [
      "progress, completion, progress: the completion",
      [
        ["progress", "p1"],
        ["completion", "c1"],
        ["progress", "p2"],
      ],
      ["c1"],
    ],
    [
      "a newer completion replaces a waiting completion",
      [
        ["completion", "c1"],
        ["completion", "c2"],
      ],
      ["c2"],
    ],
    [
      "the latest progress wins",
      [
        ["progress", "p1"],
        ["progress", "p2"],
        ["progress", "p3"],
      ],
      ["p3"],
    ],
  ])("%s", async (_, writes, expected) => {
    const clock = new FakeClock(NOW);
    const budget = new GitHubWriteBudget({ perMinute: 60, clock });
    const ran: string[] = [];
    void budget.submit("other", "progress", async () => undefined);
    const settled = writes.map(([kind, name]) => budget.submit("run", kind, async () => void ran.push(name)));
    await clock.advance(5_000);
    expect(ran).toEqual(expected);
    await expect(Promise.all(settled)).resolves.toEqual(writes.map(() => sentOutcome));
  });

  test("progress submitted after the completion was sent is dropped: a late update cannot reopen a check run", async () => {
    const { clock, sent, submit } = harness();
    void submit("run", "completion");
    await clock.advance(0);
    await expect(submit("run", "progress")).resolves.toEqual({ status: "dropped" });
    void submit("run", "completion");
    await clock.advance(5_000);
    expect(sent.map((s) => s.version)).toEqual([1, 3]);
  });

  test("completions jump the queue; among equals the one waiting longest goes first", async () => {
    const { clock, sent, submit } = harness();
    for (let i = 0; i < 5; i++) void submit(`progress-${i}`);
    await clock.advance(100);
    void submit("done-1", "completion");
    await clock.advance(100);
    void submit("done-2", "completion");
    await clock.advance(10_000);
    expect(sent.map((s) => s.key)).toEqual(["progress-0", "done-1", "done-2", "progress-1", "progress-2", "progress-3", "progress-4"]);
    expect(sent.map((s) => s.at - NOW)).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000]);
  });

  test("one write at a time: the next waits for the one in flight, however long it takes", async () => {
    const clock = new FakeClock(NOW);
    const budget = new GitHubWriteBudget({ perMinute: 60, clock });
    let release!: () => void;
    const started: number[] = [];
    void budget.submit("a", "progress", () => {
      started.push(clock.now());
      return new Promise<void>((resolve) => (release = resolve));
    });
    void budget.submit("b", "progress", async () => void started.push(clock.now()));
    await clock.advance(10_000);
    expect(started).toEqual([NOW]);
    release();
    await clock.advance(0);
    expect(started).toEqual([NOW, NOW + 10_000]);
  });

  test.each([
    ["429 with retry-after 30", answer(429, "Too Many Requests", { "retry-after": "30" }), 30_000],
    ["403 secondary rate limit", answer(403, "You have exceeded a secondary rate limit"), SECONDARY_LIMIT_PAUSE_MS],
  ])("%s: the installation's writes pause that long, then the write is tried again", async (_, error, pause) => {
    const { clock, sent, errors, submit } = harness();
    const limited = submit("a", "progress", error);
    void submit("b");
    await clock.advance(pause - 1);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent.map((s) => [s.key, s.at - NOW])).toEqual([["a", pause]]);
    await clock.advance(1_000);
    expect(sent.map((s) => s.key)).toEqual(["a", "b"]);
    await expect(limited).resolves.toEqual(sentOutcome);
    expect(errors).toEqual([]);
  });

  test("a rate-limited write replaced during the pause is not tried again: the newer one goes", async () => {
    const { clock, sent, submit } = harness();
    const limited = submit("a", "progress", answer(429, "Too Many Requests", { "retry-after": "10" }));
    await clock.advance(5_000);
    const newer = submit("a");
    await clock.advance(5_000);
    expect(sent.map((s) => [s.version, s.at - NOW])).toEqual([[2, 10_000]]);
    await expect(Promise.all([limited, newer])).resolves.toEqual([sentOutcome, sentOutcome]);
  });

  test("a rate-limited completion is not replaced by progress that came during the pause", async () => {
    const { clock, sent, submit } = harness();
    void submit("a", "completion", answer(429, "Too Many Requests", { "retry-after": "10" }));
    await clock.advance(5_000);
    void submit("a", "progress");
    await clock.advance(5_000);
    expect(sent.map((s) => s.version)).toEqual([1]);
  });

  test("other errors go to onError, are not tried again, and the queue moves on", async () => {
    const { clock, sent, errors, submit } = harness();
    const refused = answer(403, "Resource not accessible by integration");
    const failed = submit("a", "completion", refused);
    const next = submit("b");
    await clock.advance(10_000);
    await expect(failed).resolves.toEqual({ status: "failed", error: refused });
    await expect(next).resolves.toEqual(sentOutcome);
    expect(errors).toEqual([["a", refused]]);
    expect(sent.map((s) => [s.key, s.at - NOW])).toEqual([["b", 1_000]]);
  });

  test("a completion that failed can be sent again, and progress is no longer dropped", async () => {
    const { clock, sent, submit } = harness();
    void submit("a", "completion", new Error("boom"));
    await clock.advance(1_000);
    void submit("a", "progress");
    await clock.advance(1_000);
    expect(sent.map((s) => s.version)).toEqual([2]);
  });

  test("drain resolves once nothing waits and nothing is in flight", async () => {
    const { clock, budget, sent, submit } = harness();
    await budget.drain();
    for (const key of ["a", "b", "c"]) void submit(key);
    let drained = false;
    void budget.drain().then(() => (drained = true));
    await clock.advance(1_999);
    expect(drained).toBe(false);
    await clock.advance(1);
    expect(drained).toBe(true);
    expect(sent).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });
});

describe("one-off writes", () => {
  test("go in turn, ahead of progress, and give the caller their answer", async () => {
    const clock = new FakeClock(NOW);
    const budget = new GitHubWriteBudget({ perMinute: 60, clock });
    const order: string[] = [];
    void budget.submit("a", "progress", async () => void order.push("progress a"));
    void budget.submit("b", "progress", async () => void order.push("progress b"));
    const created = budget.once("creates", async () => {
      order.push("create");
      return 42;
    });
    await clock.advance(5_000);
    await expect(created).resolves.toBe(42);
    expect(order).toEqual(["progress a", "create", "progress b"]);
  });

  test("an error reaches the caller, not onError; a rate limit pauses and retries", async () => {
    const clock = new FakeClock(NOW);
    const errors: unknown[] = [];
    const budget = new GitHubWriteBudget({ perMinute: 60, clock, onError: (_key, error) => errors.push(error) });
    const refused = budget.once("changes", async () => {
      throw Object.assign(new Error("Validation Failed"), { status: 422 });
    });
    const refusal = refused.catch((e: unknown) => e);
    let attempts = 0;
    const limited = budget.once("creates", async () => {
      if (++attempts === 1) throw Object.assign(new Error("secondary rate limit"), { status: 403, response: { headers: { "retry-after": "30" } } });
      return "created";
    });
    await clock.advance(40_000);
    expect(await refusal).toMatchObject({ status: 422 });
    await expect(limited).resolves.toBe("created");
    expect(attempts).toBe(2);
    expect(errors).toEqual([]);
  });
});

describe("GitHubWriteBudgets", () => {
  test("each installation has its own budget; drain waits for all", async () => {
    const clock = new FakeClock(NOW);
    const budgets = new GitHubWriteBudgets({ perMinute: 60, clock });
    expect(budgets.forInstallation(1)).toBe(budgets.forInstallation(1));
    const started: [number, number][] = [];
    for (const installation of [1, 2]) {
      for (const key of ["a", "b"]) {
        void budgets.forInstallation(installation).submit(key, "progress", async () => void started.push([installation, clock.now() - NOW]));
      }
    }
    let drained = false;
    void budgets.drain().then(() => (drained = true));
    await clock.advance(1_000);
    expect(started).toEqual([
      [1, 0],
      [2, 0],
      [1, 1_000],
      [2, 1_000],
    ]);
    expect(drained).toBe(true);
  });
});

describe("writes waiting in a busy installation's budget", () => {
  test("hold none of the intake's slots: another installation's work runs and writes meanwhile", async () => {
    const clock = new FakeClock(NOW);
    const queue = new FairQueue({ slots: 1, perLine: 2 });
    const budgets = new GitHubWriteBudgets({ perMinute: 60, clock, stepAside: (waiting) => queue.stepAside(waiting) });
    const written: string[] = [];
    const process = (installation: number, id: string) =>
      queue.add(installation, id, async () => {
        await budgets.forInstallation(installation).once("creates", async () => void written.push(id));
      });
    // The busy installation's second write waits a second for its turn: the only slot is free meanwhile.
    process(1, "busy-1");
    process(1, "busy-2");
    process(2, "quiet");
    await clock.advance(0);
    expect(written).toEqual(["busy-1", "quiet"]);
    await clock.advance(1_000);
    expect(written).toEqual(["busy-1", "quiet", "busy-2"]);
    await queue.drained();
  });
});
