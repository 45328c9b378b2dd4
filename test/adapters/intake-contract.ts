import type { CommentIntent } from "../../src/commands/intent.js";
import type { Intent } from "../../src/ports/intent.js";
import type { IntakeStore } from "../../src/ports/intake-store.js";
import { buildRecord, repository } from "../support/build-records.js";

const T0 = Date.parse("2024-05-01T12:00:00Z");
const MINUTE = 60_000;
const at = (minutes: number) => T0 + minutes * MINUTE;
const iso = (minutes: number) => new Date(at(minutes)).toISOString();
/** Taken by `by` (or nobody) at `minutes` past T0. */
const taken = (by: string | undefined, minutes = 0) => ({ ...(by !== undefined && { by }), now: at(minutes) });
const NOBODY_LIVE: ReadonlySet<string> = new Set();

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

  test("a recorded intent is known, comes back whole with who took it, and counts the recorder's attempt", async () => {
    await expect(store.has("d-push")).resolves.toBe(false);
    await expect(store.record(pushIntent("d-push"), taken("replica-a"))).resolves.toBe(true);
    await expect(store.record(commentIntent("d-comment"), taken(undefined, 1))).resolves.toBe(true);
    await expect(store.has("d-push")).resolves.toBe(true);
    await expect(store.pending(at(10), 10, NOBODY_LIVE)).resolves.toEqual([
      { intent: pushIntent("d-push"), receivedAt: iso(0), attempts: 1, takenBy: "replica-a" },
      { intent: commentIntent("d-comment"), receivedAt: iso(1), attempts: 0 },
    ]);
    await expect(store.holderOf("d-push")).resolves.toEqual({ takenBy: "replica-a", attempts: 1 });
    await expect(store.holderOf("d-comment")).resolves.toEqual({ attempts: 0 });
    await expect(store.holderOf("d-unknown")).resolves.toBeUndefined();
  });

  test("a duplicate delivery is refused and leaves the first record as it was", async () => {
    await store.record(pushIntent("d-1"), taken("replica-a"));
    await expect(store.record(commentIntent("d-1"), taken("replica-b", 5))).resolves.toBe(false);
    await expect(store.claim("d-1", "replica-b", undefined)).resolves.toBe(false);
    await expect(store.pending(at(1), 10, NOBODY_LIVE)).resolves.toEqual([
      { intent: pushIntent("d-1"), receivedAt: iso(0), attempts: 1, takenBy: "replica-a" },
    ]);
  });

  test("of 10 concurrent records of the same delivery exactly one succeeds", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.record(pushIntent("d-race"), taken(`replica-${i}`))));
    expect(results.filter(Boolean)).toHaveLength(1);
    await expect(store.holderOf("d-race")).resolves.toEqual({ takenBy: `replica-${results.indexOf(true)}`, attempts: 1 });
  });

  test("an aborted signal makes record reject, and nothing is recorded", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(store.record(pushIntent("d-aborted"), taken("replica-a"), controller.signal)).rejects.toThrow();
    await expect(store.has("d-aborted")).resolves.toBe(false);
  });

  test("pending lists intents oldest first, at most limit, leaving out those of live replicas and those not due yet", async () => {
    // Recorded out of order, by three replicas; d-3 is handed back to be tried again at minute 8.
    const recorded: [string, number, string][] = [
      ["d-4", 4, "replica-a"],
      ["d-1", 1, "replica-b"],
      ["d-5", 5, "replica-c"],
      ["d-3", 3, "replica-a"],
      ["d-2", 2, "replica-a"],
      ["d-2b", 2, "replica-b"],
    ];
    for (const [id, minute, by] of recorded) await store.record(pushIntent(id), taken(by, minute));
    await store.release("d-3", "replica-a", at(8));
    expect(ids(await store.pending(at(10), 10, NOBODY_LIVE))).toEqual(["d-1", "d-2", "d-2b", "d-3", "d-4", "d-5"]);
    expect(ids(await store.pending(at(7), 10, NOBODY_LIVE))).toEqual(["d-1", "d-2", "d-2b", "d-4", "d-5"]);
    expect(ids(await store.pending(at(10), 10, new Set(["replica-a"])))).toEqual(["d-1", "d-2b", "d-3", "d-5"]);
    expect(ids(await store.pending(at(10), 10, new Set(["replica-a", "replica-b"])))).toEqual(["d-3", "d-5"]);
    expect(ids(await store.pending(at(10), 3, new Set(["replica-c"])))).toEqual(["d-1", "d-2", "d-2b"]);
    await expect(store.pending(at(10), 0, NOBODY_LIVE)).resolves.toEqual([]);
  });

  describe("claim", () => {
    beforeEach(async () => {
      await store.record(pushIntent("d-1"), taken("replica-a"));
    });

    test("takes the intent from the holder seen, counts an attempt, and fails from any other", async () => {
      await expect(store.claim("d-1", "replica-b", undefined)).resolves.toBe(false);
      await expect(store.claim("d-1", "replica-b", "replica-x")).resolves.toBe(false);
      await expect(store.claim("d-1", "replica-b", "replica-a")).resolves.toBe(true);
      await expect(store.claim("d-1", "replica-c", "replica-a")).resolves.toBe(false);
      await expect(store.holderOf("d-1")).resolves.toEqual({ takenBy: "replica-b", attempts: 2 });
    });

    test("of an intent handed back: from nobody, and it is due at once", async () => {
      await store.release("d-1", "replica-a", at(30));
      await expect(store.claim("d-1", "replica-b", "replica-a")).resolves.toBe(false);
      await expect(store.claim("d-1", "replica-b", undefined)).resolves.toBe(true);
      expect(await store.pending(at(1), 10, NOBODY_LIVE)).toEqual([{ intent: pushIntent("d-1"), receivedAt: iso(0), attempts: 2, takenBy: "replica-b" }]);
    });

    test("of an unknown delivery fails and records nothing", async () => {
      await expect(store.claim("d-unknown", "replica-a", undefined)).resolves.toBe(false);
      await expect(store.has("d-unknown")).resolves.toBe(false);
    });

    test("of 10 replicas taking over from the same dead one, exactly one wins", async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claim("d-1", `replica-${i}`, "replica-a")));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.holderOf("d-1"))?.attempts).toBe(2);
    });
  });

  test.each(["processed", "abandoned"] as const)("an intent done (%s) leaves the pending set, is still known and cannot be claimed", async (outcome) => {
    await store.record(pushIntent("d-1"), taken("replica-a"));
    await store.record(pushIntent("d-2"), taken("replica-a"));
    await store.done("d-1", outcome);
    expect(ids(await store.pending(at(10), 10, NOBODY_LIVE))).toEqual(["d-2"]);
    await expect(store.has("d-1")).resolves.toBe(true);
    await expect(store.holderOf("d-1")).resolves.toBeUndefined();
    await expect(store.claim("d-1", "replica-b", undefined)).resolves.toBe(false);
    await expect(store.claim("d-1", "replica-b", "replica-a")).resolves.toBe(false);
    await expect(store.record(pushIntent("d-1"), taken("replica-a", 10))).resolves.toBe(false);
  });

  test("done on an unknown delivery records nothing", async () => {
    await store.done("d-unknown", "processed");
    await expect(store.has("d-unknown")).resolves.toBe(false);
  });

  test("release hands the intent back, only by its holder, due at once or from the time given", async () => {
    await store.record(pushIntent("d-1"), taken("replica-a"));
    await store.release("d-1", "replica-b");
    await expect(store.holderOf("d-1")).resolves.toEqual({ takenBy: "replica-a", attempts: 1 });
    await store.release("d-1", "replica-a");
    await expect(store.holderOf("d-1")).resolves.toEqual({ attempts: 1 });
    expect(ids(await store.pending(at(0), 10, new Set(["replica-a"])))).toEqual(["d-1"]);
    await store.claim("d-1", "replica-c", undefined);
    await store.release("d-1", "replica-c", at(5));
    await expect(store.pending(at(4.99), 10, NOBODY_LIVE)).resolves.toEqual([]);
    expect(ids(await store.pending(at(5), 10, NOBODY_LIVE))).toEqual(["d-1"]);
    await store.release("d-unknown", "replica-a");
    await expect(store.has("d-unknown")).resolves.toBe(false);
  });

  test("purge deletes only done intents received before the cutoff, and counts them", async () => {
    for (const [id, minute] of [
      ["old-done", 1],
      ["old-abandoned", 2],
      ["old-pending", 3],
      ["new-done", 10],
    ] as const) {
      await store.record(pushIntent(id), taken("replica-a", minute));
    }
    await store.done("old-done", "processed");
    await store.done("old-abandoned", "abandoned");
    await store.done("new-done", "processed");
    // The cutoff written without milliseconds still compares as a time; minute 10 is not before it.
    await expect(store.purge("2024-05-01T12:10:00Z")).resolves.toBe(2);
    const known = await Promise.all(["old-done", "old-abandoned", "old-pending", "new-done"].map((id) => store.has(id)));
    expect(known).toEqual([false, false, true, true]);
    expect(ids(await store.pending(at(20), 10, NOBODY_LIVE))).toEqual(["old-pending"]);
    await expect(store.purge("2024-05-01T12:10:00Z")).resolves.toBe(0);
    await expect(store.purge(iso(10.01))).resolves.toBe(1);
  });

  test("purge refuses a cutoff that is not a time", async () => {
    await expect(store.purge("yesterday")).rejects.toThrow(RangeError);
  });
}
