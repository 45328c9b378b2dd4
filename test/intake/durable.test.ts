import pino from "pino";
import { MemoryIntakeStore } from "../../src/adapters/memory/intake.js";
import { DONE_INTENTS_KEPT_MS, DurableIntake, MAX_PROCESSING_ATTEMPTS, type DurableIntakeOptions } from "../../src/intake/durable.js";
import type { Intent } from "../../src/intake/intent.js";
import type { IntakeStore } from "../../src/intake/store.js";
import { repository } from "../support/build-records.js";

const LEASE_MS = 1_000;
const log = pino({ level: "silent" });

function push(deliveryId: string): Intent {
  return {
    kind: "push",
    deliveryId,
    installationId: 7,
    repository: repository(),
    sender: { login: "octocat", id: 1, type: "User" },
    ref: "refs/heads/main",
    before: "0".repeat(40),
    after: "1".repeat(40),
    created: false,
    deleted: false,
    headCommitMessage: "Fix",
    changedFiles: null,
  };
}

/** A clock moved by hand, and an intake over a store with a processor that records what it saw. */
function setUp(store: IntakeStore = new MemoryIntakeStore(), owner = "replica-a", process?: DurableIntakeOptions["process"], onGiveUp?: DurableIntakeOptions["onGiveUp"]) {
  const clock = { now: 1_000_000 };
  const processed: string[] = [];
  const intake = new DurableIntake({
    store,
    log,
    owner,
    leaseMs: LEASE_MS,
    concurrency: 1,
    now: () => clock.now,
    process: process ?? (async (intent) => void processed.push(intent.deliveryId)),
    ...(onGiveUp && { onGiveUp }),
  });
  return { store, clock, processed, intake };
}

describe("DurableIntake", () => {
  test("a recorded intent is processed once and then done; the same delivery again is a duplicate", async () => {
    const { intake, processed, store, clock } = setUp();
    expect(await intake.record(push("d-1"))).toBe(true);
    await intake.drained();
    expect(await intake.record(push("d-1"))).toBe(false);
    await intake.drained();
    expect(processed).toEqual(["d-1"]);
    clock.now += 10 * LEASE_MS;
    expect(await store.expired(clock.now, 10)).toEqual([]);
    expect(await store.has("d-1")).toBe(true);
  });

  test("a failed intent stays pending and is processed again once its lease has expired", async () => {
    let failures = 1;
    const processed: string[] = [];
    const { intake, clock } = setUp(undefined, "replica-a", async (intent) => {
      if (failures-- > 0) throw new Error("GitHub answered 502");
      processed.push(intent.deliveryId);
    });
    await intake.record(push("d-1"));
    await intake.drained();
    expect(processed).toEqual([]);

    await intake.sweep();
    await intake.drained();
    expect(processed).toEqual([]); // the lease has not expired yet

    clock.now += LEASE_MS;
    await intake.sweep();
    await intake.drained();
    expect(processed).toEqual(["d-1"]);
  });

  test(`an intent that fails ${MAX_PROCESSING_ATTEMPTS} times is given up and never processed again`, async () => {
    let calls = 0;
    const { intake, clock, store } = setUp(undefined, "replica-a", async () => {
      calls++;
      throw new Error("always fails");
    });
    await intake.record(push("d-1"));
    await intake.drained();
    for (let i = 0; i < MAX_PROCESSING_ATTEMPTS + 3; i++) {
      clock.now += LEASE_MS;
      await intake.sweep();
      await intake.drained();
    }
    expect(calls).toBe(MAX_PROCESSING_ATTEMPTS);
    expect(await store.expired(clock.now + LEASE_MS, 10)).toEqual([]);
  });

  test("processing is told an intent's first attempt: recorded here and not tried before; a retry and a take-over are not", async () => {
    const seen: [string, boolean][] = [];
    let failures = 1;
    const { intake, clock, store } = setUp(undefined, "replica-a", async (intent, attempt) => {
      seen.push([intent.deliveryId, attempt.first]);
      if (failures-- > 0) throw new Error("GitHub answered 502");
    });
    await intake.record(push("d-1"));
    await intake.drained();
    clock.now += LEASE_MS;
    await intake.sweep();
    await intake.drained();
    // Recorded by a replica that died before processing it.
    await store.record(push("d-2"), { owner: "replica-b", ttlMs: LEASE_MS, now: clock.now });
    clock.now += LEASE_MS;
    await intake.sweep();
    await intake.drained();
    expect(seen).toEqual([
      ["d-1", true],
      ["d-1", false],
      ["d-2", false],
    ]);
  });

  test.each([false, true])("giving an intent up first lets the app close what it began, with the attempts (the hook failing: %p)", async (hookFails) => {
    const closed: [string, number][] = [];
    const failing = async () => {
      throw new Error("always fails");
    };
    const { intake, clock, store } = setUp(undefined, "replica-a", failing, async (intent, attempts) => {
      closed.push([intent.deliveryId, attempts]);
      if (hookFails) throw new Error("GitHub is down too");
    });
    await intake.record(push("d-1"));
    await intake.drained();
    for (let i = 0; i < MAX_PROCESSING_ATTEMPTS + 2; i++) {
      clock.now += LEASE_MS;
      await intake.sweep();
      await intake.drained();
    }
    expect(closed).toEqual([["d-1", MAX_PROCESSING_ATTEMPTS]]);
    expect(await store.expired(clock.now + LEASE_MS, 10)).toEqual([]);
  });

  test("another replica's intent is left alone while its lease lives, and taken over after", async () => {
    const store = new MemoryIntakeStore();
    const crashed = new Promise<void>(() => undefined); // replica A dies while processing
    const a = setUp(store, "replica-a", () => crashed);
    const b = setUp(store, "replica-b");
    b.clock.now = a.clock.now;
    await a.intake.record(push("d-1"));

    await b.intake.sweep();
    await b.intake.drained();
    expect(b.processed).toEqual([]);

    b.clock.now += LEASE_MS;
    await b.intake.sweep();
    await b.intake.drained();
    expect(b.processed).toEqual(["d-1"]);
  });

  test("an intent taken over by another replica while it waited here is not processed here too", async () => {
    const store = new MemoryIntakeStore();
    let finish!: () => void;
    const processedByA: string[] = [];
    const a = setUp(store, "replica-a", async (intent) => {
      processedByA.push(intent.deliveryId);
      if (intent.deliveryId === "d-1") await new Promise<void>((resolve) => (finish = resolve));
    });
    const b = setUp(store, "replica-b");
    await a.intake.record(push("d-1"));
    await a.intake.record(push("d-2")); // waits behind d-1 (concurrency 1)

    b.clock.now = a.clock.now + LEASE_MS; // A's leases ran out (A was stalled)
    await b.intake.sweep();
    await b.intake.drained();
    finish();
    await a.intake.drained();

    expect(b.processed.sort()).toEqual(["d-1", "d-2"]);
    expect(processedByA).toEqual(["d-1"]);
  });

  test("stop hands intents not yet started back at once, and lets the one in progress finish", async () => {
    const store = new MemoryIntakeStore();
    let finish!: () => void;
    const started: string[] = [];
    const a = setUp(store, "replica-a", async (intent) => {
      started.push(intent.deliveryId);
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await a.intake.record(push("d-1"));
    await a.intake.record(push("d-2"));
    expect(started).toEqual(["d-1"]);

    const stopping = a.intake.stop();
    finish();
    await stopping;
    expect(started).toEqual(["d-1"]);

    const b = setUp(store, "replica-b");
    b.clock.now = a.clock.now; // no waiting for d-2's lease: it was released
    await b.intake.sweep();
    await b.intake.drained();
    expect(b.processed).toEqual(["d-2"]);
  });

  test("processed intents are kept through GitHub's redelivery window, then deleted by a sweep", async () => {
    const { intake, store, clock } = setUp();
    await intake.record(push("d-1"));
    await intake.drained();
    await intake.sweep();
    expect(await store.has("d-1")).toBe(true);

    const later = setUp(store);
    later.clock.now = clock.now + DONE_INTENTS_KEPT_MS + 1;
    await later.intake.sweep();
    expect(await store.has("d-1")).toBe(false);
  });

  test("when the intent cannot be written, record throws (the webhook is then answered 5xx)", async () => {
    const store = new MemoryIntakeStore();
    store.record = async () => {
      throw new Error("DynamoDB unreachable");
    };
    const { intake, processed } = setUp(store);
    await expect(intake.record(push("d-1"))).rejects.toThrow("DynamoDB unreachable");
    expect(processed).toEqual([]);
  });
});
