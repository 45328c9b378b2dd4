import path from "node:path";
import type { Logger } from "pino";
import { ensureTable } from "./adapters/aws/dynamodb/table.js";
import { DynamoDbVariableStore } from "./adapters/aws/dynamodb/variables.js";
import { createDynamoDbClient } from "./adapters/aws/dynamodb/client.js";
import { SecretsManagerStore } from "./adapters/aws/secrets-manager.js";
import { startEmbeddedDynamoDb } from "./adapters/local/embedded-dynamodb.js";
import type { Settings } from "./settings.js";
import type { SecretStore, VariableStore } from "./variables/store.js";

export interface Stores {
  variables: VariableStore;
  secrets: SecretStore;
  /** Where the data lives, for the start-up line. */
  description: string;
  close(): Promise<void>;
}

/** The app's table (DynamoDB, or dynalite in this process in embedded mode) and its secret store. */
export async function openStores(settings: Settings, log: Logger): Promise<Stores> {
  const embedded = settings.store === "embedded" ? await startEmbeddedDynamoDb(path.resolve(settings.dataDir, "dynamodb")) : undefined;
  const client = embedded?.client ?? createDynamoDbClient();
  try {
    await ensureTable(client, settings.tableName, { create: settings.tableAutoCreate });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    variables: new DynamoDbVariableStore(client, settings.tableName, log),
    secrets: new SecretsManagerStore(),
    description: embedded
      ? `embedded DynamoDB (dynalite) in ${path.resolve(settings.dataDir, "dynamodb")}, table ${settings.tableName}`
      : `DynamoDB table ${settings.tableName}`,
    async close() {
      await embedded?.stop();
    },
  };
}
