import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../src/adapters/aws/dynamodb/client.js";
import { DynamoDbIntakeStore } from "../../../src/adapters/aws/dynamodb/intake.js";
import { useDynaliteTables } from "../../support/dynalite.js";
import { intakeContract, pushIntent } from "../intake-contract.js";

const T0 = Date.parse("2024-05-01T12:00:00Z");
const MINUTE = 60_000;

// Each test gets a table of its own, so it sees only the items it wrote.
const tables = useDynaliteTables("intake");
/** What the store logged: warnings about items it could not read. */
const warnings: { fields: unknown; message: string }[] = [];
const log = { warn: (fields: unknown, message?: string) => void warnings.push({ fields, message: message ?? "" }) };
beforeEach(() => (warnings.length = 0));
const freshTable = () => tables.freshTable();

describe("DynamoDbIntakeStore", () => {
  intakeContract(async () => new DynamoDbIntakeStore(tables.dynalite.client, await freshTable(), log));
});

describe("DynamoDbIntakeStore's items", () => {
  let table: string;
  let store: DynamoDbIntakeStore;
  beforeEach(async () => {
    table = await freshTable();
    store = new DynamoDbIntakeStore(tables.dynalite.client, table, log);
  });
  const item = async (deliveryId: string) =>
    (await createDocumentClient(tables.dynalite.client).send(new GetCommand({ TableName: table, Key: { pk: `INTAKE#${deliveryId}`, sk: "INTENT" } }))).Item;

  test("a pending intent is indexed under INTAKE#PENDING by receipt time; once done, under INTAKE#DONE held by nobody", async () => {
    await store.record(pushIntent("d-1"), { by: "replica-a", now: T0 });
    expect(await item("d-1")).toMatchObject({
      gsi1pk: "INTAKE#PENDING",
      gsi1sk: "2024-05-01T12:00:00.000Z#d-1",
      status: "pending",
      receivedAt: "2024-05-01T12:00:00.000Z",
      attempts: 1,
      takenBy: "replica-a",
    });
    expect(JSON.parse(String((await item("d-1"))?.intent))).toEqual(pushIntent("d-1"));
    await store.release("d-1", "replica-a", T0 + MINUTE);
    expect(await item("d-1")).toMatchObject({ retryAt: T0 + MINUTE });
    await store.claim("d-1", "replica-b", undefined);
    await store.done("d-1", "abandoned");
    const done = await item("d-1");
    expect(done).toMatchObject({ gsi1pk: "INTAKE#DONE", gsi1sk: "2024-05-01T12:00:00.000Z#d-1", status: "abandoned" });
    expect(done).not.toHaveProperty("takenBy");
    expect(done).not.toHaveProperty("retryAt");
  });

  test("pending reads on past many intents of live replicas to find the free ones behind them", async () => {
    // 120 older intents a live replica works on, then 3 of a dead one.
    await Promise.all(Array.from({ length: 120 }, (_, i) => store.record(pushIntent(`live-${String(i).padStart(3, "0")}`), { by: "replica-a", now: T0 + i })));
    for (const id of ["late-1", "late-2", "late-3"]) await store.record(pushIntent(id), { by: "replica-dead", now: T0 + MINUTE });
    const pending = await store.pending(T0 + 2 * MINUTE, 2, new Set(["replica-a"]));
    expect(pending.map((s) => s.intent.deliveryId)).toEqual(["late-1", "late-2"]);
  });

  test("more live replicas than an IN list holds are left out all the same", async () => {
    const live = Array.from({ length: 130 }, (_, i) => `replica-${i}`);
    for (const [i, replica] of live.entries()) await store.record(pushIntent(`d-${String(i).padStart(3, "0")}`), { by: replica, now: T0 + i });
    await store.record(pushIntent("free"), { now: T0 + MINUTE });
    const pending = await store.pending(T0 + 2 * MINUTE, 10, new Set(live));
    expect(pending.map((s) => s.intent.deliveryId)).toEqual(["free"]);
  });

  test("a put the SDK sent again after its answer was lost still counts as recorded", async () => {
    const client = tables.client();
    let resent = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== "PutItemCommand") return next(args);
        await next(args);
        resent++;
        return next(args);
      },
      { step: "deserialize" },
    );
    const resending = new DynamoDbIntakeStore(client, table, log);
    await expect(resending.record(pushIntent("d-resent"), { by: "replica-a", now: T0 })).resolves.toBe(true);
    expect(resent).toBe(1);
    await expect(resending.record(pushIntent("d-resent"), { by: "replica-a", now: T0 })).resolves.toBe(false);
  });

  test("a forged or damaged pending item is never processed: given up at once, logged without its contents", async () => {
    const SECRET_LOOKING = "ghs_ForgedValueThatMustNotBeLogged";
    const forged = (deliveryId: string, intent: unknown) =>
      createDocumentClient(tables.dynalite.client).send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `INTAKE#${deliveryId}`,
            sk: "INTENT",
            gsi1pk: "INTAKE#PENDING",
            gsi1sk: `2024-05-01T11:00:00.000Z#${deliveryId}`,
            intent,
            receivedAt: "x",
            status: "pending",
            attempts: 0,
          },
        }),
      );
    await forged("not-json", `{"cloneUrl": "https://${SECRET_LOOKING}@attacker.example`);
    await forged("other-shape", JSON.stringify({ ...pushIntent("other-shape"), installationId: SECRET_LOOKING }));
    await forged("no-kind", JSON.stringify({ deliveryId: "no-kind", token: SECRET_LOOKING }));
    await store.record(pushIntent("d-1"), { by: "replica-a", now: T0 });

    const pending = await store.pending(T0 + MINUTE, 10, new Set());
    expect(pending.map((s) => s.intent)).toEqual([pushIntent("d-1")]);
    expect(warnings).toHaveLength(3);
    expect(warnings.every((w) => /^a pending intent in the table is not one the app could have recorded/.test(w.message))).toBe(true);
    expect(JSON.stringify(warnings)).not.toContain(SECRET_LOOKING);
    for (const id of ["not-json", "other-shape", "no-kind"]) expect(await item(id)).toMatchObject({ gsi1pk: "INTAKE#DONE", status: "abandoned" });
    // Out of the pending set: the next sweep reads them no more.
    await expect(store.pending(T0 + MINUTE, 10, new Set())).resolves.toHaveLength(1);
    expect(warnings).toHaveLength(3);
  });

  test("of 10 replicas recording the same delivery at once, exactly one succeeds", async () => {
    const replicas = Array.from({ length: 10 }, () => {
      const client = tables.client();
      return new DynamoDbIntakeStore(client, table, log);
    });
    const results = await Promise.all(replicas.map((r, i) => r.record(pushIntent("d-race"), { by: `replica-${i}`, now: T0 })));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
