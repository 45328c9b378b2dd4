import { FairQueue } from "../../src/intake/fair-queue.js";

/** A promise resolved by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise((r) => setImmediate(r));

/** A queue whose tasks record when they start and finish when the test says so. */
function harness(slots: number, perLine: number) {
  const queue = new FairQueue({ slots, perLine });
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const add = (line: number, id: string, body?: () => Promise<void>) =>
    queue.add(line, id, async () => {
      started.push(id);
      if (body) return body();
      const done = deferred();
      finish.set(id, done.resolve);
      await done.promise;
    });
  const end = async (id: string) => {
    finish.get(id)!();
    await settle();
  };
  return { queue, started, add, end };
}

describe("FairQueue", () => {
  test("lines take turns: one task of each line with work, then again from the first", async () => {
    const { add, end, started } = harness(1, 1);
    add(9, "blocker");
    for (const id of ["a1", "a2", "a3"]) add(1, id);
    add(2, "b1");
    add(3, "c1");
    add(2, "b2");
    for (const id of ["blocker", "a1", "b1", "c1", "a2", "b2"]) await end(id);
    expect(started).toEqual(["blocker", "a1", "b1", "c1", "a2", "b2", "a3"]);
  });

  test("a line that gets work again joins the back of the turns", async () => {
    const { add, end, started } = harness(1, 1);
    add(1, "a1");
    add(2, "b1");
    add(1, "a2");
    for (const id of ["a1", "b1"]) await end(id);
    expect(started).toEqual(["a1", "b1", "a2"]);
  });

  test("a burst in one line leaves slots for the others: another line's task starts at once", async () => {
    const { add, started } = harness(4, 2);
    for (let i = 1; i <= 50; i++) add(1, `busy-${i}`);
    add(2, "quiet");
    await settle();
    expect(started).toEqual(["busy-1", "busy-2", "quiet"]);
  });

  test("the global cap holds across lines", async () => {
    const { add, end, started } = harness(2, 2);
    for (const line of [1, 2, 3]) add(line, `t${line}`);
    await settle();
    expect(started).toEqual(["t1", "t2"]);
    await end("t1");
    expect(started).toEqual(["t1", "t2", "t3"]);
  });

  test("a task waiting aside holds no slot, and takes one back before any new task starts", async () => {
    const { queue, add, end, started } = harness(1, 2);
    const write = deferred();
    const after: string[] = [];
    add(1, "a1", async () => {
      await queue.stepAside(() => write.promise);
      after.push("a1 went on");
    });
    add(1, "a2");
    add(2, "b1");
    await settle();
    expect(started).toEqual(["a1", "a2"]); // a1 stepped aside: a2 had the slot
    write.resolve();
    await settle();
    expect(after).toEqual([]); // a2 holds the only slot
    await end("a2");
    expect(after).toEqual(["a1 went on"]);
    expect(started).toEqual(["a1", "a2", "b1"]); // b1 after a1 had its slot back and ended
  });

  test("stepping aside outside a task only waits", async () => {
    const queue = new FairQueue({ slots: 1, perLine: 1 });
    await expect(queue.stepAside(async () => 42)).resolves.toBe(42);
  });

  test("an id queued or running is refused again, and accepted once it ended", async () => {
    const { queue, add, end } = harness(1, 1);
    expect(add(1, "d-1")).toBe(true);
    expect(add(2, "d-1")).toBe(false);
    expect(queue.has("d-1")).toBe(true);
    await end("d-1");
    expect(queue.has("d-1")).toBe(false);
    expect(add(1, "d-1")).toBe(true);
  });

  test("a failing task frees its slot", async () => {
    const { add, started } = harness(1, 1);
    add(1, "fails", () => Promise.reject(new Error("boom")));
    add(2, "next");
    await settle();
    expect(started).toEqual(["fails", "next"]);
  });

  test("removeWaiting takes out what has not started; drained waits for what runs", async () => {
    const { queue, add, end, started } = harness(1, 1);
    add(1, "a1");
    add(1, "a2");
    add(2, "b1");
    expect(queue.removeWaiting().sort()).toEqual(["a2", "b1"]);
    let drained = false;
    void queue.drained().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    await end("a1");
    expect(drained).toBe(true);
    expect(started).toEqual(["a1"]);
  });
});
