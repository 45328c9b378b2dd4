import { embeddedDynamoDbClient, startEmbeddedDynamoDb, type EmbeddedDynamoDb } from "../../src/adapters/local/embedded-dynamodb.js";

export type Dynalite = EmbeddedDynamoDb;

/** An in-memory DynamoDB (dynalite) on a free loopback port, and a client for it. */
export function startDynalite(): Promise<Dynalite> {
  return startEmbeddedDynamoDb();
}

/** A client for a dynalite endpoint; dynalite accepts any credentials. */
export const dynaliteClient = embeddedDynamoDbClient;
