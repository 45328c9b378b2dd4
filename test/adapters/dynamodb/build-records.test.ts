import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDbBuildRecordStore } from "../../../src/adapters/aws/dynamodb/build-records.js";
import { createDocumentClient } from "../../../src/adapters/aws/dynamodb/client.js";
import type { BuildRecord } from "../../../src/ports/build-records.js";
import { buildRecord, completed, pullRequestRecord, runningSnapshot } from "../../support/build-records.js";
import { useDynaliteTables } from "../../support/dynalite.js";

const OTHER_SHA = "2206f8bc2206f8bc2206f8bc2206f8bc2206f8bc";

// Each test gets a table of its own, so it sees only the items it wrote.
const tables = useDynaliteTables("build-records");
/** What the store logged: warnings about items it could not read. */
const warnings: { fields: unknown; message: string }[] = [];
const log = { warn: (fields: unknown, message?: string) => void warnings.push({ fields, message: message ?? "" }) };
beforeEach(() => (warnings.length = 0));
const freshTable = () => tables.freshTable();

/** A store on its own connection, as another replica has, and how many queries it sent. */
function replica(table: string): { store: DynamoDbBuildRecordStore; queries: () => number } {
  const client = tables.client();
  let queries = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "QueryCommand") queries++;
      return next(args);
    },
    { step: "initialize" },
  );
  return { store: new DynamoDbBuildRecordStore(client, table, log), queries: () => queries };
}

const record = (n: number, overrides: Partial<BuildRecord> = {}): BuildRecord =>
  buildRecord({
    deploymentId: `deployment-${String(n).padStart(4, "0")}`,
    buildId: `shared-builds:${n}`,
    createdAt: new Date(Date.parse("2024-05-01T12:00:00Z") + n * 1000).toISOString(),
    ...overrides,
  });

let table: string;
let store: DynamoDbBuildRecordStore;
beforeEach(async () => {
  table = await freshTable();
  store = new DynamoDbBuildRecordStore(tables.dynalite.client, table, log);
});

const rawItem = async (deploymentId: string) =>
  (await createDocumentClient(tables.dynalite.client).send(new GetCommand({ TableName: table, Key: { pk: `BUILD#${deploymentId}`, sk: "RECORD" } }))).Item;

describe("records", () => {
  test.each<[string, BuildRecord]>([
    ["a running push build with its snapshot's phases", buildRecord()],
    ["a completed build", completed(buildRecord(), "FAILED")],
    [
      "a pull request build with a log cursor, variables and secrets",
      pullRequestRecord({ logCursor: "f/3825/s", variables: [{ name: "API_URL", source: "stored" }], secretIds: ["arn:s"] }),
    ],
    ["a build not started yet", buildRecord({ buildId: undefined, snapshot: undefined })],
    ["a snapshot without times", buildRecord({ snapshot: runningSnapshot({ startTime: undefined, phases: [{ name: "SUBMITTED", messages: ["queued"] }] }) })],
  ])("%s comes back equal, its times as Dates", async (_case, written) => {
    await store.put(written);
    const read = await store.get(written.deploymentId);
    expect(read).toEqual(written);
    if (written.snapshot?.startTime) expect(read?.snapshot?.startTime).toBeInstanceOf(Date);
    for (const phase of read?.snapshot?.phases ?? []) {
      if (phase.startTime !== undefined) expect(phase.startTime).toBeInstanceOf(Date);
      if (phase.endTime !== undefined) expect(phase.endTime).toBeInstanceOf(Date);
    }
  });

  test("an unknown deployment has no record", async () => {
    await expect(store.get("unknown")).resolves.toBeUndefined();
  });

  test("put replaces the record but never its supersededBy: that is markSuperseded's alone", async () => {
    await store.put(buildRecord({ supersededBy: "ignored" }));
    expect(await store.get(buildRecord().deploymentId)).not.toHaveProperty("supersededBy");
    await store.markSuperseded(buildRecord().deploymentId, OTHER_SHA);
    await store.put(buildRecord({ checkRunId: 4001 }));
    await store.put(buildRecord({ checkRunId: 4002, supersededBy: "ignored" }));
    await expect(store.get(buildRecord().deploymentId)).resolves.toEqual(buildRecord({ checkRunId: 4002, supersededBy: OTHER_SHA }));
    await expect(store.listRunning()).resolves.toEqual([buildRecord({ checkRunId: 4002, supersededBy: OTHER_SHA })]);
  });

  test("marking a build superseded before its record is written does not make a record", async () => {
    await store.markSuperseded("early", OTHER_SHA);
    await expect(store.get("early")).resolves.toBeUndefined();
    await expect(store.takeOver("early", undefined, "replica-a")).resolves.toBe(false);
    await store.put(record(1, { deploymentId: "early" }));
    await expect(store.get("early")).resolves.toEqual(record(1, { deploymentId: "early", supersededBy: OTHER_SHA }));
  });

  test("the item sits in the build's collection and in gsi1 only while the build runs", async () => {
    await store.put(buildRecord({ buildId: undefined }));
    const id = buildRecord().deploymentId;
    expect(await rawItem(id)).not.toHaveProperty("gsi1pk");
    await store.put(buildRecord());
    expect(await rawItem(id)).toMatchObject({ gsi1pk: "BUILDS#RUNNING", gsi1sk: `2024-05-01T12:00:00.000Z#${id}` });
    expect(typeof (await rawItem(id))?.record).toBe("string");
    await store.put(completed(buildRecord()));
    const done = await rawItem(id);
    expect(done).not.toHaveProperty("gsi1pk");
    expect(done).not.toHaveProperty("gsi1sk");
  });
});

describe("listRunning", () => {
  test("lists started, unfinished builds oldest first: not the ones not started yet, nor completed ones", async () => {
    await store.put(record(3));
    await store.put(record(1));
    await store.put(record(2, { buildId: undefined }));
    await store.put(completed(record(4)));
    await store.put(record(5));
    expect((await store.listRunning()).map((r) => r.deploymentId)).toEqual(["deployment-0001", "deployment-0003", "deployment-0005"]);
    await store.put(completed(record(3)));
    await store.put(record(2));
    expect((await store.listRunning()).map((r) => r.deploymentId)).toEqual(["deployment-0001", "deployment-0002", "deployment-0005"]);
    await expect(store.listRunning()).resolves.toEqual([record(1), record(2), record(5)]);
  });

  test("reads every page: 250 running builds of 12 KB each", async () => {
    const variables = Array.from({ length: 200 }, (_, i) => ({ name: `A_RATHER_LONG_VARIABLE_NAME_${i}`, source: "stored" as const }));
    const written = Array.from({ length: 250 }, (_, i) => record(i, { variables }));
    expect(JSON.stringify(written[0]).length).toBeGreaterThan(10_000);
    await Promise.all(written.map((r) => store.put(r)));
    await store.put(completed(record(250, { variables })));
    const reader = replica(table);
    await expect(reader.store.listRunning()).resolves.toEqual(written);
    expect(reader.queries()).toBeGreaterThan(1);
  });
});

describe("stored records are input", () => {
  const SECRET_LOOKING = "ghs_ForgedValueThatMustNotBeLogged";
  const forge = (deploymentId: string, item: Record<string, unknown>) =>
    createDocumentClient(tables.dynalite.client).send(new PutCommand({ TableName: table, Item: { pk: `BUILD#${deploymentId}`, sk: "RECORD", ...item } }));

  test.each<[string, unknown]>([
    ["not JSON", `{"deploymentId": "${SECRET_LOOKING}"`],
    ["JSON of another shape", JSON.stringify({ deploymentId: "forged", checkRunId: SECRET_LOOKING })],
    [
      "a record whose trigger names a kind the app does not have",
      JSON.stringify({ ...buildRecord(), trigger: { ...buildRecord().trigger, kind: SECRET_LOOKING } }),
    ],
    ["a record with a time that is not one", JSON.stringify({ ...buildRecord(), snapshot: { ...runningSnapshot(), startTime: SECRET_LOOKING } })],
    ["not a string", { M: SECRET_LOOKING }],
  ])("%s among the running builds is left out, logged without its contents, and no longer listed as running", async (_case, forged) => {
    await store.put(record(1));
    await forge("forged", { record: forged, gsi1pk: "BUILDS#RUNNING", gsi1sk: "2024-05-01T12:00:00.500Z#forged" });
    await store.put(record(2));

    await expect(store.listRunning()).resolves.toEqual([record(1), record(2)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^a build record in the table is not one the app could have written/);
    expect(JSON.stringify(warnings)).not.toContain(SECRET_LOOKING);
    expect(await rawItem("forged")).not.toHaveProperty("gsi1pk");
    // Taken out of the running builds once: the next listing does not read it again.
    await expect(store.listRunning()).resolves.toEqual([record(1), record(2)]);
    expect(warnings).toHaveLength(1);
    await expect(store.get("forged")).resolves.toBeUndefined();
    expect(JSON.stringify(warnings)).not.toContain(SECRET_LOOKING);
  });

  test("a forged remembered trigger is no trigger", async () => {
    await createDocumentClient(tables.dynalite.client).send(
      new PutCommand({
        TableName: table,
        Item: { pk: "BUILD#remembered", sk: "TRIGGER", trigger: JSON.stringify({ kind: "push", deliveryId: SECRET_LOOKING }) },
      }),
    );
    await expect(store.triggerOf("remembered")).resolves.toBeUndefined();
    expect(JSON.stringify(warnings)).not.toContain(SECRET_LOOKING);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^a remembered trigger in the table is not one the app could have written/)]);
  });
});

describe("who watches a build", () => {
  const ID = buildRecord().deploymentId;
  beforeEach(async () => {
    await store.put(buildRecord());
  });

  test("of 20 replicas taking the same unwatched build at the same moment, exactly one wins", async () => {
    const replicas = Array.from({ length: 20 }, () => replica(table).store);
    const results = await Promise.all(replicas.map((r, i) => r.takeOver(ID, undefined, `replica-${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test("two replicas taking a build over from the same dead one at the same moment: exactly one wins, round after round", async () => {
    const [a, b] = [replica(table).store, replica(table).store];
    const rounds = Array.from({ length: 25 }, (_, i) => record(i));
    await Promise.all(rounds.map((r) => store.put(r)));
    await Promise.all(rounds.map((r) => store.takeOver(r.deploymentId, undefined, "replica-dead")));
    const results = await Promise.all(
      rounds.map((r) => Promise.all([a.takeOver(r.deploymentId, "replica-dead", "replica-a"), b.takeOver(r.deploymentId, "replica-dead", "replica-b")])),
    );
    expect(results.map(([x, y]) => Number(x) + Number(y))).toEqual(rounds.map(() => 1));
  });

  test("a takeover holds only from the watcher seen: nobody, or the one named", async () => {
    await expect(store.takeOver(ID, "replica-x", "replica-a")).resolves.toBe(false);
    await expect(store.takeOver(ID, undefined, "replica-a")).resolves.toBe(true);
    await expect(store.takeOver(ID, undefined, "replica-b")).resolves.toBe(false);
    await expect(store.takeOver(ID, "replica-x", "replica-b")).resolves.toBe(false);
    await expect(store.takeOver(ID, "replica-a", "replica-b")).resolves.toBe(true);
    await expect(store.get(ID)).resolves.toEqual(buildRecord({ watchedBy: "replica-b" }));
  });

  test("watching costs no write: put and markSuperseded leave the watcher alone", async () => {
    await store.takeOver(ID, undefined, "replica-a");
    await store.put(completed(buildRecord()));
    await store.markSuperseded(ID, OTHER_SHA);
    await expect(store.takeOver(ID, undefined, "replica-b")).resolves.toBe(false);
    expect(await rawItem(ID)).toMatchObject({ watchedBy: "replica-a" });
  });

  test("reads return the watcher; a watcher in a record that is put is ignored", async () => {
    await store.takeOver(ID, undefined, "replica-a");
    const watched = buildRecord({ watchedBy: "replica-a" });
    await expect(store.get(ID)).resolves.toEqual(watched);
    await expect(store.listRunning()).resolves.toEqual([watched]);
    await store.put(buildRecord({ checkRunId: 4001, watchedBy: "replica-b" }));
    await expect(store.get(ID)).resolves.toEqual({ ...watched, checkRunId: 4001 });
    expect(JSON.parse(String((await rawItem(ID))?.record))).not.toHaveProperty("watchedBy");
  });

  test("release gives the watcher's build up at once, and only the watcher's", async () => {
    await store.takeOver(ID, undefined, "replica-a");
    await store.release(ID, "replica-b");
    await expect(store.takeOver(ID, undefined, "replica-c")).resolves.toBe(false);
    await store.release(ID, "replica-a");
    await expect(store.get(ID)).resolves.toEqual(buildRecord());
    await expect(store.takeOver(ID, undefined, "replica-c")).resolves.toBe(true);
  });

  test("a build without a record cannot be taken, and releasing it writes nothing", async () => {
    await expect(store.takeOver("unknown", undefined, "replica-a")).resolves.toBe(false);
    await store.release("unknown", "replica-a");
    await expect(rawItem("unknown")).resolves.toBeUndefined();
  });
});

describe("triggers", () => {
  test("a remembered trigger is found by deployment id, without making a record", async () => {
    const trigger = pullRequestRecord().trigger;
    await store.rememberTrigger("skipped", trigger);
    await expect(store.triggerOf("skipped")).resolves.toEqual(trigger);
    await expect(store.get("skipped")).resolves.toBeUndefined();
    await expect(store.triggerOf("unknown")).resolves.toBeUndefined();
  });

  test("a build's own trigger comes first", async () => {
    await store.rememberTrigger(buildRecord().deploymentId, pullRequestRecord().trigger);
    await store.put(buildRecord());
    await expect(store.triggerOf(buildRecord().deploymentId)).resolves.toEqual(buildRecord().trigger);
  });
});
