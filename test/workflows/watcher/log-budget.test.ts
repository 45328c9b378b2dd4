import {
  ACTIVE_READ_WEIGHT,
  LOG_READ_BACKOFF_BASE_MS,
  LOG_READ_BACKOFF_MAX_MS,
  LOG_READ_BURST,
  type LogReadPriority,
} from "../../../src/builds/watch/log-read-schedule.js";
import { LogReadBudget } from "../../../src/workflows/watcher/log-budget.js";
import { FakeClock, settle } from "../../support/fake-clock.js";

interface Read {
  key: string;
  at: number;
}

/** Builds that each ask for a read again as soon as they got one, as the watcher's readers do. */
function followBuilds(budget: LogReadBudget, clock: FakeClock, keys: string[], priority: (key: string) => LogReadPriority): Read[] {
  const reads: Read[] = [];
  for (const key of keys) {
    void (async () => {
      while (await budget.request(key, priority(key))) reads.push({ key, at: clock.now() });
    })();
  }
  return reads;
}

const running: () => LogReadPriority = () => ({ running: true });
const keys = (count: number, prefix = "build") => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

function maxGapInTurns(reads: Read[], key: string): number {
  const turns = reads.flatMap((read, turn) => (read.key === key ? [turn] : []));
  return Math.max(turns[0]! + 1, ...turns.slice(1).map((turn, i) => turn - turns[i]!));
}

describe("LogReadBudget", () => {
  let clock: FakeClock;
  beforeEach(() => (clock = new FakeClock()));

  test.each([
    [5, 301],
    [3, 181],
    [0.5, 31],
  ])("at %p reads a second, a busy minute gets exactly %p reads (the rate × 60, and the burst)", async (rate, expected) => {
    const start = clock.now();
    const budget = new LogReadBudget({ ratePerSecond: rate, clock });
    const reads = followBuilds(budget, clock, keys(3), running);
    await clock.advance(59_999);
    budget.stop();
    expect(reads).toHaveLength(expected);
    expect(expected).toBe(rate * 60 + LOG_READ_BURST - 1);
    const worstSecond = Math.max(...reads.map((r) => reads.filter((o) => o.at >= r.at && o.at < r.at + 1000).length));
    expect(worstSecond).toBeLessThanOrEqual(Math.ceil(rate) + LOG_READ_BURST - 1);
    expect(reads[0]!.at).toBe(start);
  });

  test("30 builds alike are read in turn: every 30 consecutive reads cover all 30", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 5, clock });
    const builds = keys(30);
    const reads = followBuilds(budget, clock, builds, running);
    await clock.advance(60_000);
    budget.stop();
    expect(reads.length).toBeGreaterThan(300);
    for (let turn = 0; turn + 30 <= reads.length; turn++) {
      expect(new Set(reads.slice(turn, turn + 30).map((r) => r.key)).size).toBe(30);
    }
  });

  test("builds with recent output are read about four times as often, and idle ones still in bounded turns", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 5, clock });
    const writing = keys(10, "writing");
    const idle = keys(20, "idle");
    const reads = followBuilds(budget, clock, [...idle, ...writing], (key) =>
      key.startsWith("writing") ? { running: true, lastOutputAt: clock.now() } : { running: true },
    );
    await clock.advance(120_000);
    budget.stop();
    const count = (key: string) => reads.filter((r) => r.key === key).length;
    // Weights: 10 × 4 + 20 × 1 = 60: a writing build's share of the reads is 4/60, an idle one's 1/60,
    // and none waits more than half again its share's spacing (first read included).
    const totalWeight = writing.length * ACTIVE_READ_WEIGHT + idle.length;
    for (const [group, weight] of [
      [writing, ACTIVE_READ_WEIGHT],
      [idle, 1],
    ] as const) {
      const share = (reads.length * weight) / totalWeight;
      for (const key of group) {
        expect(Math.abs(count(key) - share)).toBeLessThanOrEqual(2);
        expect(maxGapInTurns(reads, key)).toBeLessThanOrEqual((1.5 * totalWeight) / weight);
      }
    }
  });

  test("a finished build draining its tail is read within about a second, even among 100 running builds", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 5, clock });
    followBuilds(budget, clock, keys(100, "writing"), () => ({ running: true, lastOutputAt: clock.now() }));
    await clock.advance(30_000);
    const finishedAt = clock.now();
    const finishing = followBuilds(budget, clock, ["finished"], () => ({ running: false }));
    await clock.advance(5_000);
    budget.stop();
    // Running builds wait 20 s between reads here; the finishing one goes after about a second.
    expect(finishing[0]!.at - finishedAt).toBeLessThanOrEqual(1_500);
  });

  test("a build that joins late gets its first read within one round of the others", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 5, clock });
    followBuilds(budget, clock, keys(30), running);
    await clock.advance(30_000);
    const joinedAt = clock.now();
    const late = followBuilds(budget, clock, ["late"], running);
    await clock.advance(30_000);
    budget.stop();
    expect(late[0]!.at - joinedAt).toBeLessThanOrEqual(31 * 200);
    expect(late.length).toBeGreaterThanOrEqual(4);
  });

  test("requests made in the same turn compete: the build read longest ago goes first", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 1, burst: 1, clock });
    const order: string[] = [];
    const ask = (key: string) => budget.request(key, { running: true }).then(() => order.push(key));
    const first = ["a", "b", "c"].map(ask);
    await clock.advance(3_000);
    await Promise.all(first);
    const again = ["c", "a", "b"].map(ask);
    await clock.advance(3_000);
    await Promise.all(again);
    expect(order).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  test("asking again while waiting changes the waiting request's priority", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 1, burst: 1, clock });
    const first = [budget.request("a", { running: true }), budget.request("b", { running: true })];
    await clock.advance(6_000);
    await Promise.all(first);
    // "a" was read a second before "b", so it would go first, but "b" now writes.
    const order: string[] = [];
    const a = budget.request("a", { running: true });
    const b = budget.request("b", { running: true });
    void a.then(() => order.push("a"));
    void b.then(() => order.push("b"));
    expect(budget.request("b", { running: true, lastOutputAt: clock.now() })).toBe(b);
    await clock.advance(1_000);
    expect(order).toEqual(["b", "a"]);
  });

  test("after a ThrottlingException every read pauses, twice as long each time in a row, until a read succeeds", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 5, clock, random: () => 1 });
    const reads = followBuilds(budget, clock, keys(3), running);
    await clock.advance(1_000);
    const pauses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = reads.length;
      const at = clock.now();
      const pause = budget.backOff();
      pauses.push(pause);
      await clock.advance(pause - 1);
      expect(reads.length).toBe(before);
      await clock.advance(1);
      expect(reads.slice(before).map((r) => r.at)).toEqual([at + pause]);
    }
    expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, LOG_READ_BACKOFF_MAX_MS, LOG_READ_BACKOFF_MAX_MS]);
    budget.succeeded();
    expect(budget.backOff()).toBe(LOG_READ_BACKOFF_BASE_MS);
    budget.stop();
  });

  test("after a pause reads resume one at a time at the rate, without a burst", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 5, clock, random: () => 0 });
    const reads = followBuilds(budget, clock, keys(3), running);
    await clock.advance(1_000);
    const at = clock.now();
    const before = reads.length;
    const pause = budget.backOff();
    expect(pause).toBe(LOG_READ_BACKOFF_BASE_MS / 2);
    await clock.advance(pause + 1_000);
    budget.stop();
    expect(reads.slice(before).map((r) => r.at - at)).toEqual([500, 700, 900, 1_100, 1_300, 1_500]);
  });

  test("a forgotten build's waiting request gets false; after stop every request does", async () => {
    const budget = new LogReadBudget({ ratePerSecond: 1, burst: 1, clock });
    await budget.request("a", { running: true });
    const waiting = budget.request("b", { running: true });
    budget.forget("b");
    await expect(waiting).resolves.toBe(false);
    const other = budget.request("c", { running: true });
    budget.stop();
    await expect(other).resolves.toBe(false);
    await expect(budget.request("d", { running: true })).resolves.toBe(false);
    await settle();
    expect(clock.pending).toBe(0);
  });

  test("a wake-up that comes a little early by the wall clock sets its timer again: no waiting build is left without one", async () => {
    // setTimeout counts on a monotonic clock, Date.now() on the wall clock: a timer may fire a millisecond "early".
    let early = 0;
    const skewed = { now: () => clock.now() - early, setTimer: (ms: number, wake: () => void) => clock.setTimer(ms, () => ((early = 1), wake(), (early = 0))) };
    const budget = new LogReadBudget({ ratePerSecond: 1, burst: 1, clock: skewed });
    const reads = followBuilds(budget, clock, keys(2), running);
    await clock.advance(10_000);
    budget.stop();
    expect(reads.length).toBeGreaterThanOrEqual(10);
  });
});
