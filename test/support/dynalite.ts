import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../../src/adapters/aws/dynamodb/table.js";
import { embeddedDynamoDbClient, startEmbeddedDynamoDb, type EmbeddedDynamoDb } from "../../src/adapters/local/embedded-dynamodb.js";

export type Dynalite = EmbeddedDynamoDb;

/** An in-memory DynamoDB (dynalite) on a free loopback port, and a client for it. */
export function startDynalite(): Promise<Dynalite> {
  return startEmbeddedDynamoDb();
}

/** A client for a dynalite endpoint; dynalite accepts any credentials. */
export const dynaliteClient = embeddedDynamoDbClient;

/**
 * dynalite for the tests of a file: a fresh table of the app's shape per `freshTable()` (so each test
 * sees only its own items), and clients on connections of their own (as other replicas have), all
 * closed after the file's tests.
 */
export function useDynaliteTables(prefix: string) {
  let dynalite: Dynalite | undefined;
  const clients: DynamoDBClient[] = [];
  let tables = 0;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await dynalite?.stop();
  });
  return {
    get dynalite(): Dynalite {
      return dynalite!;
    },
    async freshTable(): Promise<string> {
      const name = `${prefix}-${++tables}`;
      await ensureTable(dynalite!.client, name, { create: true });
      return name;
    },
    client(): DynamoDBClient {
      const client = dynaliteClient(dynalite!.endpoint);
      clients.push(client);
      return client;
    },
  };
}
