import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDbVariableStore } from "../../../src/adapters/aws/dynamodb/variables.js";
import type { EntryInput, StoredEntry } from "../../../src/ports/variable-store.js";
import { dynaliteClient } from "../../support/dynalite.js";
import { byAlice, plain, startStore, variableItems, type StoreFixture } from "./fixture.js";

let f: StoreFixture;
let clients: DynamoDBClient[];
/** Three replicas of the app, each with its own connection to the table. */
let replicas: DynamoDbVariableStore[];
beforeAll(async () => {
  f = await startStore();
  clients = [0, 1, 2].map(() => dynaliteClient(f.dynalite.endpoint));
  replicas = clients.map((c) => f.storeOn(c));
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await f.dynalite.stop();
});

const replica = (i: number) => replicas[i % replicas.length]!;
const set = (prefix: string, count: number, value: string): EntryInput[] =>
  Array.from({ length: count }, (_, i) => plain(`${prefix}${String(i).padStart(3, "0")}`, value));
const names = (entries: { name: string }[]) => entries.map((e) => e.name).sort();

/** Every variable item in the table belongs to the current set: no garbage after writers finish. */
async function expectNoGarbage(repositoryId: number): Promise<void> {
  const current = await f.store.list(repositoryId);
  expect(variableItems(await f.scan(), repositoryId)).toHaveLength(current.length);
}

test("20 concurrent sets of different names all survive", async () => {
  await Promise.all(Array.from({ length: 20 }, (_, i) => replica(i).set(20, "all", [plain(`NAME_${i}`, `value ${i}`)], byAlice)));
  const entries = await f.store.list(20);
  expect(names(entries)).toEqual(names(Array.from({ length: 20 }, (_, i) => ({ name: `NAME_${i}` }))));
  expect(entries.every((e) => !e.isSecret && e.value === `value ${e.name.slice(5)}`)).toBe(true);
  expect(await f.store.audit(20, 100)).toHaveLength(20);
});

test("concurrent unsets and sets of different names all take effect", async () => {
  await f.store.replace(21, "all", set("OLD_", 10, "x"), byAlice);
  await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => replica(i).unset(21, "all", [`OLD_${String(i).padStart(3, "0")}`], byAlice)),
    ...Array.from({ length: 10 }, (_, i) => replica(i + 1).set(21, "all", [plain(`NEW_${i}`, "y")], byAlice)),
  ]);
  expect(names(await f.store.list(21))).toEqual(names(Array.from({ length: 10 }, (_, i) => ({ name: `NEW_${i}` }))));
  await expectNoGarbage(21);
});

/** What a reader may see: the old set or the new one, each whole, plus or minus the concurrent set's name. */
function expectOneVersion(entries: StoredEntry[], oldSet: EntryInput[], newSet: EntryInput[], extra: string): void {
  const values = (list: (StoredEntry | EntryInput)[]) => JSON.stringify(list.map((e) => `${e.name}=${e.isSecret ? "" : e.value}`).sort());
  const got = values(entries.filter((e) => e.name !== extra));
  expect([values(oldSet), values(newSet)]).toContain(got);
}

test.each(Array.from({ length: 8 }, (_, round) => [round]))("a replace racing sets and readers never yields a mixed set (round %i)", async (round) => {
  const repositoryId = 300 + round;
  const oldSet = set("KEY_", 60, "old");
  const newSet = [...set("KEY_", 30, "new"), ...set("ADDED_", 30, "new")];
  await f.store.replace(repositoryId, "all", oldSet, byAlice);

  const seen: StoredEntry[][] = [];
  let racing = true;
  const reader = (async () => {
    while (racing) seen.push(await replica(round + 2).list(repositoryId, ["all"]));
  })();
  const writers = Promise.all([
    replica(round).replace(repositoryId, "all", newSet, byAlice),
    replica(round + 1).set(repositoryId, "all", [plain("EXTRA", "e")], byAlice),
    replica(round + 2).set(repositoryId, "all", [plain("EXTRA", "e")], byAlice),
  ]).finally(() => (racing = false));
  const [[previous]] = await Promise.all([writers, reader]);

  expect(seen.length).toBeGreaterThan(0);
  for (const entries of seen) expectOneVersion(entries, oldSet, newSet, "EXTRA");
  expectOneVersion(previous, oldSet, oldSet, "EXTRA");
  expectOneVersion(await f.store.list(repositoryId), newSet, newSet, "EXTRA");
  await expectNoGarbage(repositoryId);
});

test("of two concurrent replaces one wins whole, and each returns a whole previous set", async () => {
  for (let round = 0; round < 5; round++) {
    const repositoryId = 400 + round;
    const first = set("FIRST_", 40, "1");
    const second = set("SECOND_", 40, "2");
    const original = set("ORIGINAL_", 40, "0");
    await f.store.replace(repositoryId, "all", original, byAlice);
    const [beforeFirst, beforeSecond] = await Promise.all([
      replica(round).replace(repositoryId, "all", first, byAlice),
      replica(round + 1).replace(repositoryId, "all", second, byAlice),
    ]);
    const final = names(await f.store.list(repositoryId));
    expect([names(first), names(second)]).toContainEqual(final);
    // Replaces are serialized: one saw the original, the other saw the first one's result.
    const winner = final[0]!.startsWith("FIRST_") ? "first" : "second";
    expect(names(winner === "first" ? beforeFirst : beforeSecond)).toEqual(names(winner === "first" ? second : first));
    expect(names(winner === "first" ? beforeSecond : beforeFirst)).toEqual(names(original));
    await expectNoGarbage(repositoryId);
  }
});

/**
 * Runs `slow` on a replica whose first request of one DynamoDB operation waits at the door while
 * `fast` runs whole, to put another writer's change in between deterministically.
 */
async function overtakenAt<T>(operation: string, slow: (store: DynamoDbVariableStore) => Promise<T>, fast: () => Promise<unknown>): Promise<T> {
  const client = dynaliteClient(f.dynalite.endpoint);
  clients.push(client);
  let arrive: () => void = () => {};
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let armed = true;
  client.middlewareStack.add(
    (next) => async (args) => {
      const target = (args.request as { headers?: Record<string, string> }).headers?.["x-amz-target"];
      if (armed && target === `DynamoDB_20120810.${operation}`) {
        armed = false;
        arrive();
        await released;
      }
      return next(args);
    },
    { step: "build" },
  );
  const slowDone = slow(f.storeOn(client));
  try {
    await Promise.race([reached, slowDone]);
    expect(armed).toBe(false);
    await fast();
  } finally {
    release();
  }
  return slowDone;
}

test("a set whose items landed in the version a replace then switched away from is written again, not lost", async () => {
  await f.store.replace(500, "all", set("OLD_", 5, "old"), byAlice);
  await overtakenAt(
    "UpdateItem",
    (store) => store.set(500, "all", [plain("EXTRA", "e")], byAlice),
    () => f.store.replace(500, "all", set("NEW_", 5, "new"), byAlice),
  );
  expect(names(await f.store.list(500))).toEqual(["EXTRA", ...names(set("NEW_", 5, "new"))]);
  await expectNoGarbage(500);
});

test("an unset that a replace overtook is done again on the new version", async () => {
  await f.store.replace(501, "all", [plain("GONE", "1"), plain("KEEP", "1")], byAlice);
  const removed = await overtakenAt(
    "UpdateItem",
    (store) => store.unset(501, "all", ["GONE"], byAlice),
    () => f.store.replace(501, "all", [plain("GONE", "2"), plain("KEEP", "2")], byAlice),
  );
  expect(removed.map((e) => (e.isSecret ? "" : e.value))).toEqual(["2"]);
  expect(names(await f.store.list(501))).toEqual(["KEEP"]);
});

test("a replace overtaken by a set starts over, so the previous set it returns is the one it replaced", async () => {
  await f.store.replace(502, "all", [plain("A", "1")], byAlice);
  const previous = await overtakenAt(
    "UpdateItem",
    (store) => store.replace(502, "all", [plain("B", "2")], byAlice),
    () => f.store.set(502, "all", [plain("EXTRA", "e")], byAlice),
  );
  expect(names(previous)).toEqual(["A", "EXTRA"]);
  expect(names(await f.store.list(502))).toEqual(["B"]);
  await expectNoGarbage(502);
});

test("a reader whose version was replaced and deleted while it read reads the new one", async () => {
  await f.store.replace(503, "all", set("OLD_", 5, "old"), byAlice);
  const read = await overtakenAt(
    "Query",
    (store) => store.list(503, ["all"]),
    () => f.store.replace(503, "all", set("NEW_", 5, "new"), byAlice),
  );
  expect(names(read)).toEqual(names(set("NEW_", 5, "new")));
});
