import { MemoryHeartbeatStore } from "../../src/adapters/memory/heartbeats.js";
import { holdingOf } from "../../src/replicas/holding.js";
import { Replica } from "../../src/replicas/replica.js";
import { FakeClock } from "../support/fake-clock.js";

const LEASE_MS = 12_000;
const log = { warn: () => undefined };

/** Heartbeats counting their reads and writes. */
class CountedHeartbeats extends MemoryHeartbeatStore {
  writes = 0;
  reads = 0;
  override async beat(replica: string, until: number): Promise<void> {
    this.writes++;
    return super.beat(replica, until);
  }
  override async liveUntil(replica: string): Promise<number | undefined> {
    this.reads++;
    return super.liveUntil(replica);
  }
}

function setUp() {
  const clock = new FakeClock();
  const heartbeats = new CountedHeartbeats();
  const replica = (id: string) => new Replica({ heartbeats, id, leaseMs: LEASE_MS, clock, log });
  return { clock, heartbeats, replica };
}

describe("holdingOf", () => {
  const liveness = new Map([
    ["live", 2_000],
    ["dead", 1_000],
  ]);
  test.each([
    [undefined, "free"],
    ["me", "mine"],
    ["live", "held"],
    ["dead", "free"],
    ["never-seen", "free"],
  ] as const)("held by %s at 1500: %s", (holder, expected) => {
    expect(holdingOf(holder, "me", liveness, 1_500)).toBe(expected);
  });

  test("a heartbeat is live up to, not at, its end", () => {
    expect(holdingOf("live", "me", liveness, 2_000)).toBe("free");
  });
});

describe("Replica", () => {
  test("beats every third of a lease once started, whatever it holds, and stops beating when stopped", async () => {
    const { clock, heartbeats, replica } = setUp();
    const a = replica("a");
    a.start();
    await clock.advance(LEASE_MS * 10);
    expect(heartbeats.writes).toBe(31); // at once, then every 4 s for 120 s
    expect(heartbeats.heartbeats.get("a")).toBe(clock.now() + LEASE_MS);
    await a.stop();
    expect(heartbeats.heartbeats.has("a")).toBe(false);
    await clock.advance(LEASE_MS * 10);
    expect(heartbeats.writes).toBe(31);
    await a.beat();
    expect(heartbeats.heartbeats.has("a")).toBe(false); // a late beat must not bring a stopped replica back
  });

  test("alive writes a heartbeat before work is taken only when the last one is getting old", async () => {
    const { clock, heartbeats, replica } = setUp();
    const a = replica("a");
    await a.alive();
    expect(heartbeats.writes).toBe(1);
    await a.alive();
    expect(heartbeats.writes).toBe(1);
    await a.stop();
    const b = replica("b");
    await b.beat();
    await clock.advance(LEASE_MS); // b beats from its own timer only once started: as a Lambda instance frozen meanwhile
    await b.alive();
    expect(heartbeats.heartbeats.get("b")).toBe(clock.now() + LEASE_MS);
  });

  test("another replica's heartbeat is read once, then again only after it ran out", async () => {
    const { clock, heartbeats, replica } = setUp();
    const [a, b] = [replica("a"), replica("b")];
    await b.beat();
    const first = await a.liveness(["b", "b", undefined, "a"]);
    expect(holdingOf("b", "a", first, clock.now())).toBe("held");
    expect(heartbeats.reads).toBe(1);
    await clock.advance(LEASE_MS - 1);
    await a.liveness(["b"]);
    expect(heartbeats.reads).toBe(1);
    expect(a.knownLive()).toEqual(["b"]);
    await clock.advance(1);
    const later = await a.liveness(["b"]);
    expect(heartbeats.reads).toBe(2);
    expect(holdingOf("b", "a", later, clock.now())).toBe("free");
    expect(a.knownLive()).toEqual([]);
  });

  test("a heartbeat renewed meanwhile keeps its replica's work held", async () => {
    const { clock, replica } = setUp();
    const [a, b] = [replica("a"), replica("b")];
    await b.beat();
    await a.liveness(["b"]);
    await clock.advance(LEASE_MS - 1_000);
    await b.beat();
    await clock.advance(1_000);
    expect(holdingOf("b", "a", await a.liveness(["b"]), clock.now())).toBe("held");
  });

  test("a replica without a heartbeat, or whose heartbeat ran out, holds nothing", async () => {
    const { clock, replica } = setUp();
    const [a, dead] = [replica("a"), replica("dead")];
    await dead.beat();
    await clock.advance(LEASE_MS);
    expect(holdingOf("dead", "a", await a.liveness(["dead"]), clock.now())).toBe("free");
    expect(holdingOf("gone", "a", await a.liveness(["gone"]), clock.now())).toBe("free");
  });

  test("heartbeats that ran out are deleted once an hour, by whichever replica beats", async () => {
    const { clock, heartbeats, replica } = setUp();
    const [a, dead] = [replica("a"), replica("dead")];
    await dead.beat();
    await a.beat(); // the first beat deletes what ran out: nothing yet
    expect([...heartbeats.heartbeats.keys()].sort()).toEqual(["a", "dead"]);
    a.start();
    await clock.advance(60 * 60_000);
    expect([...heartbeats.heartbeats.keys()]).toEqual(["a"]);
    await a.stop();
  });

  test("whenGone reads a watched heartbeat again when it runs out, and calls back once one was not renewed", async () => {
    const { clock, heartbeats, replica } = setUp();
    const [a, live, dying] = [replica("a"), replica("live"), replica("dying")];
    live.start();
    await dying.beat();
    await clock.advance(2_000);
    await dying.beat(); // the last heartbeat it writes: it lives until 14 s
    await a.liveness(["live", "dying"]);
    const readsBefore = heartbeats.reads;
    let gone = 0;
    a.whenGone(["live", "dying", "a"], () => gone++);
    await clock.advance(LEASE_MS - 1);
    expect(gone).toBe(0);
    expect(heartbeats.reads - readsBefore).toBe(1); // "live"'s first heartbeat ran out at 12 s and was found renewed
    await clock.advance(1);
    expect(gone).toBe(1);
    await clock.advance(LEASE_MS * 3);
    expect(gone).toBe(1);
    await live.stop();
  });

  test("whenGone cancelled calls nothing back", async () => {
    const { clock, replica } = setUp();
    const [a, dying] = [replica("a"), replica("dying")];
    await dying.beat();
    await a.liveness(["dying"]);
    let gone = 0;
    const cancel = a.whenGone(["dying"], () => gone++);
    cancel();
    await clock.advance(LEASE_MS * 2);
    expect(gone).toBe(0);
  });
});
