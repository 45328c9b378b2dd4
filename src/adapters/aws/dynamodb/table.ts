import {
  CreateTableCommand,
  DescribeTableCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";

/** The generic sparse index: only items that set `gsi1pk`/`gsi1sk` appear in it (build records use it). */
export const GSI1 = {
  IndexName: "gsi1",
  KeySchema: [
    { AttributeName: "gsi1pk", KeyType: "HASH" },
    { AttributeName: "gsi1sk", KeyType: "RANGE" },
  ],
  Projection: { ProjectionType: "ALL" },
} as const satisfies GlobalSecondaryIndex;

/**
 * The app's one table: every kind of item under string keys `pk`/`sk` (distinct prefixes per kind),
 * plus `gsi1`. deploy/ and docs/operations.md describe the same table.
 */
export const TABLE_DEFINITION = {
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "sk", AttributeType: "S" },
    { AttributeName: "gsi1pk", AttributeType: "S" },
    { AttributeName: "gsi1sk", AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ],
  GlobalSecondaryIndexes: [GSI1],
  BillingMode: "PAY_PER_REQUEST",
} satisfies Omit<CreateTableCommandInput, "TableName">;

/** A new table is usually ACTIVE within seconds; give up after five minutes. */
const TABLE_WAIT = { maxWaitTime: 300, minDelay: 1, maxDelay: 5 };

/**
 * Makes sure the table exists with the keys and indexes the app uses: creates it when missing and
 * `create` (TABLE_AUTO_CREATE), otherwise throws saying how to create it.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, options: { create: boolean }): Promise<void> {
  let table = await describeTable(client, tableName);
  if (!table) {
    if (!options.create) {
      throw new Error(
        `DynamoDB table ${tableName} does not exist: create it with the template in deploy/, or set TABLE_AUTO_CREATE=true to let the app create it`,
      );
    }
    await createTable(client, tableName);
    table = await describeTable(client, tableName);
  }
  if (table?.TableStatus !== "ACTIVE") {
    await waitUntilTableExists({ client, ...TABLE_WAIT }, { TableName: tableName });
  }
  const problem = table && tableProblem(table);
  if (problem) throw new Error(`DynamoDB table ${tableName} ${problem}`);
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand({ TableName: tableName, ...TABLE_DEFINITION }));
  } catch (error) {
    // Another replica starting at the same time created it first.
    if ((error as Error).name !== "ResourceInUseException") throw error;
  }
}

/** What makes an existing table unusable by the app, or undefined when it fits TABLE_DEFINITION. */
export function tableProblem(table: TableDescription): string | undefined {
  const attributes = table.AttributeDefinitions ?? [];
  if (keySignature(table.KeySchema, attributes) !== keySignature(TABLE_DEFINITION.KeySchema, TABLE_DEFINITION.AttributeDefinitions)) {
    return "does not have the keys the app needs (a string partition key pk and a string sort key sk): use a new TABLE_NAME, or recreate the table from the template in deploy/";
  }
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === GSI1.IndexName);
  if (keySignature(index?.KeySchema, attributes) !== keySignature(GSI1.KeySchema, TABLE_DEFINITION.AttributeDefinitions)) {
    return `has no global secondary index ${GSI1.IndexName} on the string keys gsi1pk (partition) and gsi1sk (sort): add it (update the stack from the template in deploy/); TABLE_AUTO_CREATE creates only missing tables`;
  }
  return undefined;
}

/** Keys as "name:type:role", comparable between a description and the definition. */
function keySignature(keys: readonly KeySchemaElement[] | undefined, attributes: readonly AttributeDefinition[]): string {
  return (keys ?? []).map((k) => `${k.AttributeName}:${attributes.find((a) => a.AttributeName === k.AttributeName)?.AttributeType}:${k.KeyType}`).join(",");
}
