import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../src/adapters/aws/dynamodb/client.js";
import { DynamoDbHeartbeatStore } from "../../src/adapters/aws/dynamodb/heartbeats.js";
import { MemoryHeartbeatStore } from "../../src/adapters/memory/heartbeats.js";
import type { HeartbeatStore } from "../../src/ports/heartbeats.js";
import { useDynaliteTables } from "../support/dynalite.js";

const T0 = Date.parse("2024-05-01T12:00:00Z");

const tables = useDynaliteTables("heartbeats");
const warnings: { fields: unknown; message: string }[] = [];
const log = { warn: (fields: unknown, message?: string) => void warnings.push({ fields, message: message ?? "" }) };
beforeEach(() => (warnings.length = 0));

/** What every HeartbeatStore must do, with a fresh, empty store per test. */
function heartbeatContract(open: () => Promise<HeartbeatStore>): void {
  let store: HeartbeatStore;
  beforeEach(async () => {
    store = await open();
  });

  test("a heartbeat says until when its replica lives; a newer one replaces it; a removed one is gone", async () => {
    await expect(store.liveUntil("replica-a")).resolves.toBeUndefined();
    await store.beat("replica-a", T0 + 12_000);
    await store.beat("replica-b", T0 + 5_000);
    await expect(store.liveUntil("replica-a")).resolves.toBe(T0 + 12_000);
    await store.beat("replica-a", T0 + 16_000);
    await expect(store.liveUntil("replica-a")).resolves.toBe(T0 + 16_000);
    await store.remove("replica-a");
    await expect(store.liveUntil("replica-a")).resolves.toBeUndefined();
    await expect(store.liveUntil("replica-b")).resolves.toBe(T0 + 5_000);
  });

  test("purge deletes the heartbeats that ran out, and counts them", async () => {
    await store.beat("dead-1", T0 - 60_000);
    await store.beat("dead-2", T0);
    await store.beat("live", T0 + 1);
    await expect(store.purge(T0)).resolves.toBe(2);
    await expect(Promise.all(["dead-1", "dead-2", "live"].map((r) => store.liveUntil(r)))).resolves.toEqual([undefined, undefined, T0 + 1]);
    await expect(store.purge(T0)).resolves.toBe(0);
  });
}

describe("MemoryHeartbeatStore", () => {
  heartbeatContract(async () => new MemoryHeartbeatStore());
});

describe("DynamoDbHeartbeatStore", () => {
  heartbeatContract(async () => new DynamoDbHeartbeatStore(tables.dynalite.client, await tables.freshTable(), log));

  test("one item per replica, in gsi1 under REPLICAS; a forged one counts as none, logged without its contents", async () => {
    const table = await tables.freshTable();
    const store = new DynamoDbHeartbeatStore(tables.dynalite.client, table, log);
    const documents = createDocumentClient(tables.dynalite.client);
    await store.beat("host:42:abcd", T0);
    const item = await documents.send(new GetCommand({ TableName: table, Key: { pk: "REPLICA#host:42:abcd", sk: "HEARTBEAT" } }));
    expect(item.Item).toEqual({ pk: "REPLICA#host:42:abcd", sk: "HEARTBEAT", gsi1pk: "REPLICAS", gsi1sk: "host:42:abcd", liveUntil: T0 });

    const SECRET_LOOKING = "ghs_ForgedValueThatMustNotBeLogged";
    await documents.send(new PutCommand({ TableName: table, Item: { pk: "REPLICA#forged", sk: "HEARTBEAT", liveUntil: SECRET_LOOKING } }));
    await expect(store.liveUntil("forged")).resolves.toBeUndefined();
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^a heartbeat in the table is not one the app could have written/)]);
    expect(JSON.stringify(warnings)).not.toContain(SECRET_LOOKING);
  });
});
