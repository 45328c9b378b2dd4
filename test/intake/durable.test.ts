import pino from "pino";
import { MemoryHeartbeatStore } from "../../src/adapters/memory/heartbeats.js";
import { MemoryIntakeStore } from "../../src/adapters/memory/intake.js";
import type { Clock } from "../../src/domain/clock.js";
import { DONE_INTENTS_KEPT_MS, DurableIntake, MAX_PROCESSING_ATTEMPTS, retryDelayMs, type DurableIntakeOptions } from "../../src/intake/durable.js";
import { FairQueue } from "../../src/intake/fair-queue.js";
import type { Intent } from "../../src/ports/intent.js";
import { Replica } from "../../src/replicas/replica.js";
import { repository } from "../support/build-records.js";
import { FakeClock } from "../support/fake-clock.js";

const LEASE_MS = 3_000;
const log = pino({ level: "silent" });

function push(deliveryId: string, installationId = 7): Intent {
  return {
    kind: "push",
    deliveryId,
    installationId,
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

/** An intake store that counts the writes made to keep hold of intents once they are taken. */
class CountedIntakeStore extends MemoryIntakeStore {
  holdWrites = 0;
  override async claim(deliveryId: string, by: string, from: string | undefined): Promise<boolean> {
    this.holdWrites++;
    return super.claim(deliveryId, by, from);
  }
  override async release(deliveryId: string, by: string, retryAt?: number): Promise<void> {
    this.holdWrites++;
    return super.release(deliveryId, by, retryAt);
  }
}

/** One table (intents and heartbeats) and one clock, shared by the replicas of a test. */
function table() {
  return { clock: new FakeClock(), store: new CountedIntakeStore(), heartbeats: new MemoryHeartbeatStore() };
}
type Table = ReturnType<typeof table>;

interface ReplicaSetUp {
  process?: DurableIntakeOptions["process"];
  onGiveUp?: DurableIntakeOptions["onGiveUp"];
  slots?: number;
  perInstallation?: number;
  /** False for a replica that died: its heartbeat is never written again. */
  beating?: boolean;
}

/** A replica on `t`: its heartbeat written (as at start-up), an intake whose processor records what it saw. */
async function replicaOn(t: Table, id: string, setUp: ReplicaSetUp = {}) {
  const dead: Clock = { now: () => t.clock.now(), setTimer: () => () => undefined };
  const clock = setUp.beating === false ? dead : t.clock;
  const replica = new Replica({ heartbeats: t.heartbeats, id, leaseMs: LEASE_MS, clock, log });
  await replica.beat();
  const processed: string[] = [];
  const slots = setUp.slots ?? 1;
  const intake = new DurableIntake({
    store: t.store,
    log,
    replica,
    leaseMs: LEASE_MS,
    queue: new FairQueue({ slots, perLine: setUp.perInstallation ?? slots }),
    clock,
    process: setUp.process ?? (async (intent) => void processed.push(intent.deliveryId)),
    ...(setUp.onGiveUp && { onGiveUp: setUp.onGiveUp }),
  });
  return { replica, intake, processed };
}

const never = () => new Promise<void>(() => undefined);

describe("DurableIntake", () => {
  test("a recorded intent is processed once and then done; the same delivery again is a duplicate", async () => {
    const t = table();
    const { intake, processed } = await replicaOn(t, "replica-a");
    expect(await intake.record(push("d-1"))).toBe(true);
    await intake.drained();
    expect(await intake.record(push("d-1"))).toBe(false);
    await intake.drained();
    expect(processed).toEqual(["d-1"]);
    await expect(t.store.holderOf("d-1")).resolves.toBeUndefined();
    expect(await t.store.has("d-1")).toBe(true);
  });

  test("a failed intent is handed back and tried again once its retry delay has passed, not before", async () => {
    const t = table();
    let failures = 1;
    const processed: string[] = [];
    const { intake } = await replicaOn(t, "replica-a", {
      process: async (intent) => {
        if (failures-- > 0) throw new Error("GitHub answered 502");
        processed.push(intent.deliveryId);
      },
    });
    await intake.record(push("d-1"));
    await intake.drained();
    await expect(t.store.holderOf("d-1")).resolves.toEqual({ attempts: 1 });

    await t.clock.advance(retryDelayMs(LEASE_MS, 1) - 1);
    await intake.sweep();
    await intake.drained();
    expect(processed).toEqual([]);

    await t.clock.advance(1);
    await intake.sweep();
    await intake.drained();
    expect(processed).toEqual(["d-1"]);
  });

  test(`an intent that fails ${MAX_PROCESSING_ATTEMPTS} times is given up and never processed again`, async () => {
    const t = table();
    let calls = 0;
    const { intake } = await replicaOn(t, "replica-a", {
      process: async () => {
        calls++;
        throw new Error("always fails");
      },
    });
    await intake.record(push("d-1"));
    await intake.drained();
    for (let i = 1; i < MAX_PROCESSING_ATTEMPTS + 3; i++) {
      await t.clock.advance(retryDelayMs(LEASE_MS, i));
      await intake.sweep();
      await intake.drained();
    }
    expect(calls).toBe(MAX_PROCESSING_ATTEMPTS);
    await expect(t.store.holderOf("d-1")).resolves.toBeUndefined();
  });

  test("processing is told an intent's first attempt: recorded here and not tried before; a retry and a take-over are not", async () => {
    const t = table();
    const seen: [string, boolean][] = [];
    let failures = 1;
    const { intake } = await replicaOn(t, "replica-a", {
      process: async (intent, attempt) => {
        seen.push([intent.deliveryId, attempt.first]);
        if (failures-- > 0) throw new Error("GitHub answered 502");
      },
    });
    await intake.record(push("d-1"));
    await intake.drained();
    await t.clock.advance(retryDelayMs(LEASE_MS, 1));
    await intake.sweep();
    await intake.drained();
    // Recorded by a replica that died before processing it.
    await t.store.record(push("d-2"), { by: "replica-b", now: t.clock.now() });
    await intake.sweep();
    await intake.drained();
    expect(seen).toEqual([
      ["d-1", true],
      ["d-1", false],
      ["d-2", false],
    ]);
  });

  test.each([false, true])("giving an intent up first lets the app close what it began, with the attempts (the hook failing: %p)", async (hookFails) => {
    const t = table();
    const closed: [string, number][] = [];
    const { intake } = await replicaOn(t, "replica-a", {
      process: async () => {
        throw new Error("always fails");
      },
      onGiveUp: async (intent, attempts) => {
        closed.push([intent.deliveryId, attempts]);
        if (hookFails) throw new Error("GitHub is down too");
      },
    });
    await intake.record(push("d-1"));
    await intake.drained();
    for (let i = 1; i < MAX_PROCESSING_ATTEMPTS + 2; i++) {
      await t.clock.advance(retryDelayMs(LEASE_MS, i));
      await intake.sweep();
      await intake.drained();
    }
    expect(closed).toEqual([["d-1", MAX_PROCESSING_ATTEMPTS]]);
    await expect(t.store.holderOf("d-1")).resolves.toBeUndefined();
  });

  test("a dead replica's intents are left alone while its heartbeat lives, and taken over by a new replica as soon as it ran out", async () => {
    const t = table();
    const a = await replicaOn(t, "replica-a", { process: never, beating: false });
    await a.intake.record(push("d-1"));
    await a.intake.record(push("d-2"));
    // The process is killed and started again at once: a new replica on the same table.
    const restarted = await replicaOn(t, "replica-a2");
    await restarted.intake.sweep();
    await restarted.intake.drained();
    expect(restarted.processed).toEqual([]);

    await t.clock.advance(LEASE_MS - 1);
    await restarted.intake.sweep();
    await restarted.intake.drained();
    expect(restarted.processed).toEqual([]);

    await t.clock.advance(1);
    await restarted.intake.sweep();
    await restarted.intake.drained();
    expect(restarted.processed).toEqual(["d-1", "d-2"]);
  });

  test("a started intake looks again the moment a live replica's heartbeat runs out, not at its next regular sweep", async () => {
    const t = table();
    const a = await replicaOn(t, "replica-a", { process: never, beating: false });
    await a.intake.record(push("d-1"));
    await t.clock.advance(700);
    const b = await replicaOn(t, "replica-b");
    b.intake.start(); // sweeps now, then every second (a third of the lease): at 700, 1,700, 2,700, 3,700 ms
    await t.clock.advance(LEASE_MS - 700 - 1);
    expect(b.processed).toEqual([]);
    await t.clock.advance(1); // A's heartbeat ends at 3,000 ms
    expect(b.processed).toEqual(["d-1"]);
    await b.intake.stop();
    await b.replica.stop();
  });

  test("a live replica's intents stay its own however long they wait, at the cost of its heartbeat alone", async () => {
    const t = table();
    const a = await replicaOn(t, "replica-a", { process: never });
    a.replica.start();
    const b = await replicaOn(t, "replica-b");
    b.replica.start();
    for (let i = 0; i < 50; i++) await a.intake.record(push(`d-${i}`));
    const writesBefore = t.store.holdWrites;
    for (let round = 0; round < 20; round++) {
      await t.clock.advance(LEASE_MS);
      await b.intake.sweep();
    }
    expect(b.processed).toEqual([]);
    expect(t.store.holdWrites).toBe(writesBefore);
    await a.replica.stop();
    await b.replica.stop();
  });

  test("an intent taken over by another replica while it waited here is not processed here too", async () => {
    const t = table();
    let finish!: () => void;
    const processedByA: string[] = [];
    const a = await replicaOn(t, "replica-a", {
      beating: false,
      process: async (intent) => {
        processedByA.push(intent.deliveryId);
        if (intent.deliveryId === "d-1") await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    await a.intake.record(push("d-1"));
    await a.intake.record(push("d-2")); // waits behind d-1 (one slot)

    await t.clock.advance(LEASE_MS); // A stalled: its heartbeat ran out
    const b = await replicaOn(t, "replica-b");
    await b.intake.sweep();
    await b.intake.drained();
    finish();
    await a.intake.drained();

    expect(b.processed.sort()).toEqual(["d-1", "d-2"]);
    expect(processedByA).toEqual(["d-1"]);
  });

  test("stop hands intents not yet started back at once, and lets the one in progress finish", async () => {
    const t = table();
    let finish!: () => void;
    const started: string[] = [];
    const a = await replicaOn(t, "replica-a", {
      process: async (intent) => {
        started.push(intent.deliveryId);
        await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    await a.intake.record(push("d-1"));
    await a.intake.record(push("d-2"));
    expect(started).toEqual(["d-1"]);

    const stopping = a.intake.stop();
    finish();
    await stopping;
    expect(started).toEqual(["d-1"]);

    const b = await replicaOn(t, "replica-b"); // no waiting for A's heartbeat: d-2 was handed back
    await b.intake.sweep();
    await b.intake.drained();
    expect(b.processed).toEqual(["d-2"]);
  });

  test("a burst of one installation does not hold up another's event", async () => {
    const t = table();
    const busy = new Set<string>();
    const processed: string[] = [];
    const { intake } = await replicaOn(t, "replica-a", {
      slots: 2,
      perInstallation: 1,
      process: async (intent) => {
        if (intent.installationId === 1) {
          busy.add(intent.deliveryId);
          return never();
        }
        processed.push(intent.deliveryId);
      },
    });
    for (let i = 0; i < 40; i++) await intake.record(push(`busy-${i}`, 1));
    await intake.record(push("quiet", 2));
    await new Promise((r) => setImmediate(r));
    expect(processed).toEqual(["quiet"]);
    expect(busy.size).toBe(1);
  });

  test("an intent handed over (AWS Lambda) is taken from nobody, or from a dead replica, never from a live one", async () => {
    const t = table();
    const recorder = await replicaOn(t, "webhook");
    const handedOver: Intent[] = [];
    const dispatching = new DurableIntake({
      store: t.store,
      log,
      replica: recorder.replica,
      leaseMs: LEASE_MS,
      queue: new FairQueue({ slots: 1, perLine: 1 }),
      clock: t.clock,
      process: never,
      dispatch: async (intent) => void handedOver.push(intent),
    });
    await dispatching.record(push("d-1"));
    await expect(t.store.holderOf("d-1")).resolves.toEqual({ attempts: 0 });

    const crashed = await replicaOn(t, "processor-1", { process: never, beating: false });
    void crashed.intake.take(handedOver[0]!);
    await new Promise((r) => setImmediate(r));
    await expect(t.store.holderOf("d-1")).resolves.toEqual({ takenBy: "processor-1", attempts: 1 });

    const other = await replicaOn(t, "processor-2");
    await other.intake.take(handedOver[0]!); // SQS delivers the message again: processor-1 still lives
    expect(other.processed).toEqual([]);
    await t.clock.advance(LEASE_MS);
    await other.intake.take(handedOver[0]!);
    expect(other.processed).toEqual(["d-1"]);
    await other.intake.take(handedOver[0]!);
    expect(other.processed).toEqual(["d-1"]);
  });

  test("processed intents are kept through GitHub's redelivery window, then deleted by a sweep", async () => {
    const t = table();
    const { intake, replica } = await replicaOn(t, "replica-a");
    await intake.record(push("d-1"));
    await intake.drained();
    await intake.sweep();
    expect(await t.store.has("d-1")).toBe(true);
    await intake.stop();
    await replica.stop();

    await t.clock.advance(DONE_INTENTS_KEPT_MS + 1);
    const later = await replicaOn(t, "replica-b");
    await later.intake.sweep();
    expect(await t.store.has("d-1")).toBe(false);
  });

  test("when the intent cannot be written, record throws (the webhook is then answered 5xx)", async () => {
    const t = table();
    t.store.record = async () => {
      throw new Error("DynamoDB unreachable");
    };
    const { intake, processed } = await replicaOn(t, "replica-a");
    await expect(intake.record(push("d-1"))).rejects.toThrow("DynamoDB unreachable");
    expect(processed).toEqual([]);
  });
});
