import type { CommentIntent } from "../../src/commands/intent.js";
import type { Intent } from "../../src/intake/intent.js";
import type { IntakeStore } from "../../src/intake/store.js";
import { buildRecord, repository } from "../support/build-records.js";

const T0 = Date.parse("2024-05-01T12:00:00Z");
const MINUTE = 60_000;
const at = (minutes: number) => T0 + minutes * MINUTE;
const iso = (minutes: number) => new Date(at(minutes)).toISOString();
/** A lease of one minute from `minutes` past T0. */
const lease = (owner: string, minutes = 0) => ({ owner, ttlMs: MINUTE, now: at(minutes) });

export const pushIntent = (deliveryId: string): Intent => ({ ...buildRecord().trigger, deliveryId });

export const commentIntent = (deliveryId: string): CommentIntent => ({
  kind: "comment",
  deliveryId,
  installationId: 11,
  repository: repository(),
  sender: { login: "octocat", id: 1, type: "User" },
  issueNumber: 42,
  isPullRequest: true,
  commentId: 9001,
  commands: [
    { ok: true, line: 1, command: { verb: "env set", environment: "preview", assignments: [{ name: "API_URL", value: "https://example.com" }] } },
    { ok: false, line: 2, verb: "/env", message: "unknown environment", usage: "/env set NAME=value" },
  ],
  holdsSecret: false,
});

const ids = (list: { intent: Intent }[]) => list.map((s) => s.intent.deliveryId);

/** What every IntakeStore must do, run against each implementation with a fresh, empty store per test. */
export function intakeContract(open: () => Promise<IntakeStore>): void {
  let store: IntakeStore;
  beforeEach(async () => {
    store = await open();
  });

  test("a recorded intent is known, comes back whole once its lease expires, and counts the recorder's attempt", async () => {
    await expect(store.has("d-push")).resolves.toBe(false);
    await expect(store.record(pushIntent("d-push"), lease("replica-a"))).resolves.toBe(true);
    await expect(store.record(commentIntent("d-comment"), lease("replica-a", 1))).resolves.toBe(true);
    await expect(store.has("d-push")).resolves.toBe(true);
    await expect(store.expired(at(10), 10)).resolves.toEqual([
      { intent: pushIntent("d-push"), receivedAt: iso(0), attempts: 1 },
      { intent: commentIntent("d-comment"), receivedAt: iso(1), attempts: 1 },
    ]);
  });

  test("a duplicate delivery is refused and leaves the first record as it was", async () => {
    await store.record(pushIntent("d-1"), lease("replica-a"));
    await expect(store.record(commentIntent("d-1"), lease("replica-b", 5))).resolves.toBe(false);
    await expect(store.claim("d-1", lease("replica-b", 0.5))).resolves.toBe(false);
    await expect(store.expired(at(1), 10)).resolves.toEqual([{ intent: pushIntent("d-1"), receivedAt: iso(0), attempts: 1 }]);
  });

  test("of 10 concurrent records of the same delivery exactly one succeeds", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.record(pushIntent("d-race"), lease(`replica-${i}`))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `replica-${results.indexOf(true)}`;
    await expect(store.claim("d-race", lease(winner, 0.5))).resolves.toBe(true);
  });

  test("an aborted signal makes record reject, and nothing is recorded", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(store.record(pushIntent("d-aborted"), lease("replica-a"), controller.signal)).rejects.toThrow();
    await expect(store.has("d-aborted")).resolves.toBe(false);
  });

  test("expired lists pending intents whose lease ended by now, oldest first, at most limit", async () => {
    // Recorded out of order; d-3 and d-5 hold leases until minute 11 and 15.
    const recorded: [string, number, number][] = [
      ["d-4", 4, 1],
      ["d-1", 1, 1],
      ["d-5", 5, 10],
      ["d-3", 3, 8],
      ["d-2", 2, 1],
      ["d-2b", 2, 1],
    ];
    for (const [id, minute, ttlMinutes] of recorded) {
      await store.record(pushIntent(id), { owner: "replica-a", ttlMs: ttlMinutes * MINUTE, now: at(minute) });
    }
    expect(ids(await store.expired(at(10), 10))).toEqual(["d-1", "d-2", "d-2b", "d-4"]);
    expect(ids(await store.expired(at(11), 10))).toEqual(["d-1", "d-2", "d-2b", "d-3", "d-4"]);
    expect(ids(await store.expired(at(11), 4))).toEqual(["d-1", "d-2", "d-2b", "d-3"]);
    expect(ids(await store.expired(at(20), 10))).toEqual(["d-1", "d-2", "d-2b", "d-3", "d-4", "d-5"]);
    expect(ids(await store.expired(at(2), 10))).toEqual(["d-1"]);
    await expect(store.expired(at(1.99), 10)).resolves.toEqual([]);
    await expect(store.expired(at(20), 0)).resolves.toEqual([]);
  });

  describe("claim", () => {
    beforeEach(async () => {
      await store.record(pushIntent("d-1"), lease("replica-a"));
    });

    test("fails while another owner's lease is live, then takes the expired lease and counts an attempt", async () => {
      await expect(store.claim("d-1", lease("replica-b", 0.99))).resolves.toBe(false);
      await expect(store.claim("d-1", lease("replica-b", 1))).resolves.toBe(true);
      await expect(store.claim("d-1", lease("replica-a", 1.5))).resolves.toBe(false);
      expect(await store.expired(at(2), 10)).toEqual([{ intent: pushIntent("d-1"), receivedAt: iso(0), attempts: 2 }]);
    });

    test("by the holder extends the lease", async () => {
      await expect(store.claim("d-1", lease("replica-a", 0.5))).resolves.toBe(true);
      await expect(store.expired(at(1), 10)).resolves.toEqual([]);
      await expect(store.claim("d-1", lease("replica-b", 1))).resolves.toBe(false);
      expect((await store.expired(at(1.5), 10)).map((s) => s.attempts)).toEqual([2]);
    });

    test("of an unknown delivery fails and records nothing", async () => {
      await expect(store.claim("d-unknown", lease("replica-a"))).resolves.toBe(false);
      await expect(store.has("d-unknown")).resolves.toBe(false);
    });

    test("of 10 concurrent owners exactly one wins", async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claim("d-1", lease(`replica-${i}`, 5))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.expired(at(7), 10)).map((s) => s.attempts)).toEqual([2]);
    });
  });

  describe("extend", () => {
    beforeEach(async () => {
      await store.record(pushIntent("d-1"), lease("replica-a"));
    });

    test("by the holder moves the lease's end without counting an attempt", async () => {
      await expect(store.extend("d-1", lease("replica-a", 0.5))).resolves.toBe(true);
      await expect(store.expired(at(1), 10)).resolves.toEqual([]);
      await expect(store.claim("d-1", lease("replica-b", 1))).resolves.toBe(false);
      expect((await store.expired(at(1.5), 10)).map((s) => s.attempts)).toEqual([1]);
    });

    test("by the holder after its lease ran out, while nobody claimed it, takes it back", async () => {
      await expect(store.extend("d-1", lease("replica-a", 5))).resolves.toBe(true);
      await expect(store.expired(at(5.5), 10)).resolves.toEqual([]);
    });

    test("fails for another owner, and once another owner took the intent over", async () => {
      await expect(store.extend("d-1", lease("replica-b", 0.5))).resolves.toBe(false);
      await store.claim("d-1", lease("replica-b", 2));
      await expect(store.extend("d-1", lease("replica-a", 2.5))).resolves.toBe(false);
      await expect(store.claim("d-1", lease("replica-c", 2.5))).resolves.toBe(false);
    });

    test("fails once the lease was released or the intent is done", async () => {
      await store.release("d-1", "replica-a");
      await expect(store.extend("d-1", lease("replica-a", 0.5))).resolves.toBe(false);
      await store.claim("d-1", lease("replica-a", 0.5));
      await store.done("d-1", "processed");
      await expect(store.extend("d-1", lease("replica-a", 0.6))).resolves.toBe(false);
    });

    test("of an unknown delivery fails and records nothing", async () => {
      await expect(store.extend("d-unknown", lease("replica-a"))).resolves.toBe(false);
      await expect(store.has("d-unknown")).resolves.toBe(false);
    });
  });

  test.each(["processed", "abandoned"] as const)("an intent done (%s) leaves the pending set, is still known and cannot be claimed", async (outcome) => {
    await store.record(pushIntent("d-1"), lease("replica-a"));
    await store.record(pushIntent("d-2"), lease("replica-a"));
    await store.done("d-1", outcome);
    expect(ids(await store.expired(at(10), 10))).toEqual(["d-2"]);
    await expect(store.has("d-1")).resolves.toBe(true);
    await expect(store.claim("d-1", lease("replica-a", 10))).resolves.toBe(false);
    await expect(store.record(pushIntent("d-1"), lease("replica-a", 10))).resolves.toBe(false);
  });

  test("done on an unknown delivery records nothing", async () => {
    await store.done("d-unknown", "processed");
    await expect(store.has("d-unknown")).resolves.toBe(false);
  });

  test("release gives up the holder's lease at once, and only the holder's", async () => {
    await store.record(pushIntent("d-1"), lease("replica-a"));
    await store.release("d-1", "replica-b");
    await expect(store.expired(at(0.5), 10)).resolves.toEqual([]);
    await expect(store.claim("d-1", lease("replica-c", 0.5))).resolves.toBe(false);
    await store.release("d-1", "replica-a");
    expect(ids(await store.expired(at(0.5), 10))).toEqual(["d-1"]);
    await expect(store.claim("d-1", lease("replica-c", 0.5))).resolves.toBe(true);
    await store.release("d-unknown", "replica-a");
    await expect(store.has("d-unknown")).resolves.toBe(false);
  });

  test("purge deletes only done intents received before the cutoff, and counts them", async () => {
    for (const [id, minute] of [["old-done", 1], ["old-abandoned", 2], ["old-pending", 3], ["new-done", 10]] as const) {
      await store.record(pushIntent(id), lease("replica-a", minute));
    }
    await store.done("old-done", "processed");
    await store.done("old-abandoned", "abandoned");
    await store.done("new-done", "processed");
    // The cutoff written without milliseconds still compares as a time; minute 10 is not before it.
    await expect(store.purge("2024-05-01T12:10:00Z")).resolves.toBe(2);
    const known = await Promise.all(["old-done", "old-abandoned", "old-pending", "new-done"].map((id) => store.has(id)));
    expect(known).toEqual([false, false, true, true]);
    expect(ids(await store.expired(at(20), 10))).toEqual(["old-pending"]);
    await expect(store.purge("2024-05-01T12:10:00Z")).resolves.toBe(0);
    await expect(store.purge(iso(10.01))).resolves.toBe(1);
  });

  test("purge refuses a cutoff that is not a time", async () => {
    await expect(store.purge("yesterday")).rejects.toThrow(RangeError);
  });
}
