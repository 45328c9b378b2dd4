import { CreateTableCommand, DescribeTableCommand, type TableDescription } from "@aws-sdk/client-dynamodb";
import { ensureTable, tableProblem, TABLE_DEFINITION } from "../../../src/adapters/aws/dynamodb/table.js";
import { startDynalite, type Dynalite } from "../../support/dynalite.js";

let dynalite: Dynalite;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(() => dynalite.stop());

async function tableDescription(name: string): Promise<TableDescription | undefined> {
  return (await dynalite.client.send(new DescribeTableCommand({ TableName: name }))).Table;
}

test("creates the table with pk/sk, the gsi1 index and on-demand billing when asked to", async () => {
  await ensureTable(dynalite.client, "created", { create: true });
  const table = await tableDescription("created");
  expect(table?.TableStatus).toBe("ACTIVE");
  expect(table?.KeySchema).toEqual([
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ]);
  expect(table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
  const index = table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === "gsi1");
  expect(index?.KeySchema).toEqual([
    { AttributeName: "gsi1pk", KeyType: "HASH" },
    { AttributeName: "gsi1sk", KeyType: "RANGE" },
  ]);
  expect(index?.Projection?.ProjectionType).toBe("ALL");
});

test("accepts an existing table, also when two replicas start at once", async () => {
  await Promise.all([ensureTable(dynalite.client, "shared", { create: true }), ensureTable(dynalite.client, "shared", { create: true })]);
  await expect(ensureTable(dynalite.client, "shared", { create: false })).resolves.toBeUndefined();
});

test("without TABLE_AUTO_CREATE, a missing table is an error that says how to create it", async () => {
  await expect(ensureTable(dynalite.client, "missing", { create: false })).rejects.toThrow(
    "DynamoDB table missing does not exist: create it with the template in deploy/, or set TABLE_AUTO_CREATE=true to let the app create it",
  );
  expect(await tableDescription("missing").catch((e: Error) => e.name)).toBe("ResourceNotFoundException");
});

test("an existing table without the index is an error naming the index", async () => {
  const { KeySchema, BillingMode, AttributeDefinitions } = TABLE_DEFINITION;
  await dynalite.client.send(new CreateTableCommand({ TableName: "no-index", KeySchema, BillingMode, AttributeDefinitions: AttributeDefinitions.slice(0, 2) }));
  await expect(ensureTable(dynalite.client, "no-index", { create: true })).rejects.toThrow(/^DynamoDB table no-index has no global secondary index gsi1 /);
});

const key = (name: string, role: "HASH" | "RANGE") => ({ AttributeName: name, KeyType: role });
const attribute = (name: string, type: "S" | "N") => ({ AttributeName: name, AttributeType: type });
const gsi1 = { IndexName: "gsi1", KeySchema: [key("gsi1pk", "HASH"), key("gsi1sk", "RANGE")] };
const strings = [attribute("pk", "S"), attribute("sk", "S"), attribute("gsi1pk", "S"), attribute("gsi1sk", "S")];

test.each<[string, TableDescription, RegExp | undefined]>([
  ["the app's table", { KeySchema: [key("pk", "HASH"), key("sk", "RANGE")], AttributeDefinitions: strings, GlobalSecondaryIndexes: [gsi1] }, undefined],
  ["no sort key", { KeySchema: [key("pk", "HASH")], AttributeDefinitions: strings, GlobalSecondaryIndexes: [gsi1] }, /keys the app needs/],
  [
    "other key names",
    { KeySchema: [key("id", "HASH"), key("sk", "RANGE")], AttributeDefinitions: [attribute("id", "S"), ...strings], GlobalSecondaryIndexes: [gsi1] },
    /keys the app needs/,
  ],
  [
    "a numeric partition key",
    { KeySchema: [key("pk", "HASH"), key("sk", "RANGE")], AttributeDefinitions: [attribute("pk", "N"), ...strings.slice(1)], GlobalSecondaryIndexes: [gsi1] },
    /keys the app needs/,
  ],
  ["no indexes", { KeySchema: [key("pk", "HASH"), key("sk", "RANGE")], AttributeDefinitions: strings }, /no global secondary index gsi1/],
  [
    "gsi1 on other keys",
    {
      KeySchema: [key("pk", "HASH"), key("sk", "RANGE")],
      AttributeDefinitions: strings,
      GlobalSecondaryIndexes: [{ IndexName: "gsi1", KeySchema: [key("sk", "HASH"), key("pk", "RANGE")] }],
    },
    /no global secondary index gsi1/,
  ],
])("tableProblem: %s", (_name, table, problem) => {
  const found = tableProblem(table);
  if (problem) expect(found).toMatch(problem);
  else expect(found).toBeUndefined();
});
