import type { StoredEntry } from "../../../src/ports/variable-store.js";
import { dynaliteClient } from "../../support/dynalite.js";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../src/adapters/aws/dynamodb/client.js";
import { DynamoDbVariableStore } from "../../../src/adapters/aws/dynamodb/variables.js";
import { byAlice, plain, secret, startStore, TABLE_NAME, variableItems, type StoreFixture } from "./fixture.js";

let f: StoreFixture;
beforeAll(async () => {
  f = await startStore();
});
afterAll(() => f.dynalite.stop());

const summary = (entries: StoredEntry[]) =>
  entries.map((e) => (e.isSecret ? `${e.scope}:${e.name}=secret(${e.secretId},${e.valueBytes})` : `${e.scope}:${e.name}=${e.value}`));

test("a repository that was never written has no variables", async () => {
  expect(await f.store.list(1)).toEqual([]);
  expect(await f.store.unset(1, "all", ["A"], byAlice)).toEqual([]);
  expect(await f.store.audit(1)).toEqual([]);
});

test("set adds and overwrites names, keeping the others; entries carry who set them and when", async () => {
  const before = new Date().toISOString();
  await f.store.set(2, "all", [plain("A", "1"), plain("B", "2")], byAlice);
  await f.store.set(2, "all", [plain("B", "two"), plain("C", "")], { actor: "bob", via: "comment" });
  const entries = await f.store.list(2);
  expect(summary(entries)).toEqual(["all:A=1", "all:B=two", "all:C="]);
  expect(entries.map((e) => e.updatedBy)).toEqual(["alice", "bob", "bob"]);
  for (const e of entries) expect(e.updatedAt >= before && e.updatedAt <= new Date().toISOString()).toBe(true);
});

test("unset removes names and returns what it removed, secrets included", async () => {
  await f.store.set(3, "all", [plain("A", "1"), secret("S"), plain("B", "2")], byAlice);
  const removed = await f.store.unset(3, "all", ["S", "A", "MISSING", "A"], byAlice);
  expect(summary(removed).sort()).toEqual(["all:A=1", "all:S=secret(arn:aws:secretsmanager:us-east-1:123456789012:secret:codebuild-checks/S,12)"]);
  expect(summary(await f.store.list(3))).toEqual(["all:B=2"]);
});

test("a name is plain or secret, never both: setting it as one replaces the other", async () => {
  await f.store.set(4, "production", [plain("TOKEN", "visible")], byAlice);
  await f.store.set(4, "production", [secret("TOKEN", "codebuild-checks/4/production/TOKEN")], byAlice);
  expect(summary(await f.store.list(4))).toEqual(["production:TOKEN=secret(codebuild-checks/4/production/TOKEN,12)"]);
  const secretItems = variableItems(await f.scan(), 4);
  expect(secretItems).toHaveLength(1);
  expect(secretItems[0]).not.toHaveProperty("value");

  await f.store.set(4, "production", [plain("TOKEN", "visible again")], byAlice);
  expect(summary(await f.store.list(4))).toEqual(["production:TOKEN=visible again"]);
  const plainItems = variableItems(await f.scan(), 4);
  expect(plainItems).toHaveLength(1);
  expect(plainItems[0]).not.toHaveProperty("secretId");
});

test("scopes are independent", async () => {
  await f.store.set(5, "all", [plain("URL", "all")], byAlice);
  await f.store.set(5, "production", [plain("URL", "prod")], byAlice);
  await f.store.set(5, "preview", [plain("URL", "preview"), plain("ONLY_PREVIEW", "x")], byAlice);
  await f.store.unset(5, "production", ["URL"], byAlice);
  await f.store.replace(5, "preview", [plain("OTHER", "y")], byAlice);
  expect(summary(await f.store.list(5))).toEqual(["all:URL=all", "preview:OTHER=y"]);
  expect(summary(await f.store.list(5, ["preview"]))).toEqual(["preview:OTHER=y"]);
  expect(summary(await f.store.list(5, ["production"]))).toEqual([]);
});

test("repositories are isolated by numeric id", async () => {
  await f.store.set(6, "all", [plain("A", "six")], byAlice);
  await f.store.set(66, "all", [plain("A", "sixty-six")], byAlice);
  await f.store.replace(6, "all", [], byAlice);
  expect(await f.store.list(6)).toEqual([]);
  expect(summary(await f.store.list(66))).toEqual(["all:A=sixty-six"]);
  expect((await f.store.audit(66)).map((a) => a.repositoryId)).toEqual([66]);
});

test("replace swaps a scope's whole set, returns the previous one and leaves no old items behind", async () => {
  await f.store.set(7, "all", [plain("A", "1"), secret("S")], byAlice);
  const previous = await f.store.replace(7, "all", [plain("B", "2"), plain("A", "one")], byAlice);
  expect(summary(previous)).toEqual(["all:A=1", "all:S=secret(arn:aws:secretsmanager:us-east-1:123456789012:secret:codebuild-checks/S,12)"]);
  expect(summary(await f.store.list(7))).toEqual(["all:A=one", "all:B=2"]);
  expect(
    variableItems(await f.scan(), 7)
      .map((i) => i.name)
      .sort(),
  ).toEqual(["A", "B"]);
});

test("a replace that dies before switching the pointer changes nothing, and the next write cleans up", async () => {
  await f.store.replace(8, "all", [plain("A", "1"), plain("B", "2")], byAlice);

  // A replica whose connection drops right before the switch: every UpdateItem fails.
  const crashing = dynaliteClient(f.dynalite.endpoint);
  crashing.middlewareStack.add(
    (next) => async (args) => {
      const target = (args.request as { headers?: Record<string, string> }).headers?.["x-amz-target"];
      if (target === "DynamoDB_20120810.UpdateItem") throw new Error("connection lost");
      return next(args);
    },
    { step: "build" },
  );
  try {
    await expect(f.storeOn(crashing).replace(8, "all", [plain("C", "3"), plain("D", "4")], byAlice)).rejects.toThrow("connection lost");
  } finally {
    crashing.destroy();
  }

  expect(summary(await f.store.list(8))).toEqual(["all:A=1", "all:B=2"]);
  expect(
    variableItems(await f.scan(), 8)
      .map((i) => i.name)
      .sort(),
  ).toEqual(["A", "B", "C", "D"]);

  await f.store.set(8, "all", [plain("E", "5")], byAlice);
  expect(summary(await f.store.list(8))).toEqual(["all:A=1", "all:B=2", "all:E=5"]);
  expect(
    variableItems(await f.scan(), 8)
      .map((i) => i.name)
      .sort(),
  ).toEqual(["A", "B", "E"]);
});

test("the same name given twice in one call keeps the last", async () => {
  await f.store.set(9, "all", [plain("A", "first"), plain("A", "last")], byAlice);
  await f.store.replace(9, "preview", [plain("B", "first"), secret("B")], byAlice);
  expect(summary(await f.store.list(9))).toEqual([
    "all:A=last",
    "preview:B=secret(arn:aws:secretsmanager:us-east-1:123456789012:secret:codebuild-checks/B,12)",
  ]);
});

describe("reading back", () => {
  test("an item no user could have set (a reserved or malformed name, a missing value) is left out, and said in the log", async () => {
    const warnings: unknown[] = [];
    const store = new DynamoDbVariableStore(f.dynalite.client, TABLE_NAME, { warn: (fields: unknown) => void warnings.push(fields) });
    await store.set(40, "all", [plain("GOOD", "1")], byAlice);
    const good = (await f.scan()).find((item) => item.pk === "REPO#40" && String(item.sk).startsWith("VAR#"))!;
    const documents = createDocumentClient(f.dynalite.client);
    // Forged as someone with access to the table could: beside GOOD, in the current version.
    const forge = (name: string, fields: Record<string, unknown> = {}) =>
      documents.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...good, sk: String(good.sk).replace(/GOOD$/, name), name, ...fields } }));
    await forge("BRANCH");
    await forge("lower");
    await forge("NO_VALUE", { value: undefined, isSecret: false });
    await forge("SECRET_WITHOUT_ID", { isSecret: true });

    expect(summary(await store.list(40))).toEqual(["all:GOOD=1"]);
    expect(JSON.stringify(warnings)).toContain("BRANCH is reserved");
    expect(warnings).toHaveLength(4);
  });

  test("listing a repository's three scopes takes two reads of their pointers and one query per scope", async () => {
    await f.store.set(41, "all", [plain("A", "1")], byAlice);
    await f.store.set(41, "production", [plain("B", "2")], byAlice);
    await f.store.set(41, "preview", [plain("C", "3")], byAlice);
    f.dynalite.requests.splice(0);
    expect(summary(await f.store.list(41))).toEqual(["all:A=1", "production:B=2", "preview:C=3"]);
    expect(f.dynalite.requests.map((r) => r.operation).sort()).toEqual(["BatchGetItem", "BatchGetItem", "Query", "Query", "Query"]);
  });
});
