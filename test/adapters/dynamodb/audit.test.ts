import { setTimeout as sleep } from "node:timers/promises";
import { ensureTable } from "../../../src/adapters/aws/dynamodb/table.js";
import { DynamoDbVariableStore } from "../../../src/adapters/aws/dynamodb/variables.js";
import type { AuditEntry } from "../../../src/ports/variable-store.js";
import { dynaliteClient, startDynalite } from "../../support/dynalite.js";
import { byAlice, plain, secret, startStore, TABLE_NAME, type StoreFixture } from "./fixture.js";

let f: StoreFixture;
beforeAll(async () => {
  f = await startStore();
});
afterAll(() => f.dynalite.stop());

const SECRET_LOOKING = ["sk_live_4eC39HqLyjWDarjtT1zdp7dc", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "hunter2-ü-🔑"];
const byBob = { actor: "bob", via: "comment" } as const;

test("every change leaves one audit entry per name, newest first, and none holds a value", async () => {
  await f.store.set(1, "all", [plain("STRIPE_KEY", SECRET_LOOKING[0]!), plain("GH_TOKEN", SECRET_LOOKING[1]!)], byAlice);
  await sleep(5);
  await f.store.set(1, "production", [secret("DB_PASSWORD")], byBob);
  await sleep(5);
  await f.store.unset(1, "all", ["STRIPE_KEY", "NEVER_SET"], byBob);
  await sleep(5);
  await f.store.replace(1, "all", [plain("PASSPHRASE", SECRET_LOOKING[2]!)], byAlice);

  const trail = await f.store.audit(1);
  const times = trail.map((a) => a.at);
  expect(times).toEqual([...times].sort().reverse());
  // Entries of one change share their time; order those by name to compare.
  const row = (a: AuditEntry) => `${a.actor} ${a.via} ${a.action} ${a.scope} ${a.name} ${a.isSecret ? "secret" : "plain"}`;
  const rows = [...trail].sort((x, y) => y.at.localeCompare(x.at) || row(x).localeCompare(row(y))).map(row);
  expect(rows).toEqual([
    "alice api replace all PASSPHRASE plain",
    "alice api unset all GH_TOKEN plain",
    "bob comment unset all STRIPE_KEY plain",
    "bob comment set production DB_PASSWORD secret",
    "alice api set all GH_TOKEN plain",
    "alice api set all STRIPE_KEY plain",
  ]);
  expect(trail.every((a) => a.repositoryId === 1)).toBe(true);

  expect(await f.store.audit(1, 2)).toEqual(trail.slice(0, 2));
  expect(await f.store.audit(1, 0)).toEqual([]);

  const items = await f.scan();
  const audit = items.filter((i) => String(i.sk).startsWith("AUDIT#"));
  expect(audit).toHaveLength(6);
  for (const item of audit) {
    expect(Object.keys(item).sort()).toEqual(["action", "actor", "at", "isSecret", "name", "pk", "repositoryId", "scope", "sk", "via"]);
  }
  // The values are in the variables that hold them now, and nowhere else.
  const holders = items.filter((i) => Object.values(i).some((a) => typeof a === "string" && SECRET_LOOKING.some((v) => a.includes(v))));
  expect(holders.map((i) => `${i.name}=${i.value}`)).toEqual([`PASSPHRASE=${SECRET_LOOKING[2]}`]);
});

test("ping answers while the table can be reached and fails once the server is gone", async () => {
  const server = await startDynalite();
  const client = dynaliteClient(server.endpoint);
  try {
    const store = new DynamoDbVariableStore(client, TABLE_NAME);
    await expect(store.ping()).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await ensureTable(server.client, TABLE_NAME, { create: true });
    await expect(store.ping()).resolves.toBeUndefined();
    await server.stop();
    await expect(store.ping()).rejects.toThrow(/ECONNREFUSED/);
  } finally {
    client.destroy();
  }
});
