import path from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Logger } from "pino";
import { DynamoDbBuildLogStore } from "./adapters/aws/dynamodb/build-logs.js";
import { DynamoDbBuildRecordStore } from "./adapters/aws/dynamodb/build-records.js";
import { DynamoDbDeploymentThreadStore } from "./adapters/aws/dynamodb/deployment-threads.js";
import { DynamoDbHeartbeatStore } from "./adapters/aws/dynamodb/heartbeats.js";
import { DynamoDbIntakeStore } from "./adapters/aws/dynamodb/intake.js";
import { createDynamoDbClient } from "./adapters/aws/dynamodb/client.js";
import { ensureTable } from "./adapters/aws/dynamodb/table.js";
import { DynamoDbVariableStore } from "./adapters/aws/dynamodb/variables.js";
import { SecretsManagerStore } from "./adapters/aws/secrets-manager.js";
import { prepareDataDirectory } from "./adapters/local/data-directory.js";
import { startEmbeddedDynamoDb } from "./adapters/local/embedded-dynamodb.js";
import { FileSecretStore } from "./adapters/local/file-secrets.js";
import type { BuildLogStore } from "./ports/build-logs.js";
import type { BuildRecordStore, BuildWatchers } from "./ports/build-records.js";
import type { IntakeStore } from "./ports/intake-store.js";
import type { DeploymentThreadStore } from "./ports/deployments.js";
import { nameFailedCalls } from "./adapters/aws/failed-calls.js";
import { instrumentAwsClient } from "./metrics/aws.js";
import type { AppMetrics } from "./metrics/registry.js";
import type { HeartbeatStore } from "./ports/heartbeats.js";
import type { Settings } from "./settings.js";
import type { SecretStore, VariableStore } from "./ports/variable-store.js";

export interface Stores {
  variables: VariableStore;
  secrets: SecretStore;
  logStore: BuildLogStore;
  records: BuildRecordStore & BuildWatchers;
  intake: IntakeStore;
  heartbeats: HeartbeatStore;
  deploymentThreads: DeploymentThreadStore;
  /** Where the data lives, for the start-up line. */
  description: string;
  /** Where secret values live, for the start-up line. */
  secretsDescription: string;
  close(): Promise<void>;
}

/** The app's table (DynamoDB, or dynalite in this process in embedded mode) and its secret store. */
export async function openStores(settings: Settings, log: Logger, metrics: AppMetrics): Promise<Stores> {
  const dataPath = path.resolve(settings.dataDir, "dynamodb");
  if (settings.store === "embedded" || !settings.awsMode) await prepareDataDirectory(settings.dataDir);
  const embedded = settings.store === "embedded" ? await startEmbeddedDynamoDb(dataPath) : undefined;
  const client = embedded?.client ?? createDynamoDbClient();
  const secretsManager = new SecretsManagerClient({ retryMode: "adaptive" });
  instrumentAwsClient(client, metrics);
  instrumentAwsClient(secretsManager, metrics);
  nameFailedCalls(client);
  nameFailedCalls(secretsManager);
  let fileSecrets: FileSecretStore | undefined;
  try {
    await ensureTable(client, settings.tableName, { create: settings.tableAutoCreate });
    // Without AWS, secret values live in an encrypted file beside the embedded table (SPEC 9).
    if (!settings.awsMode) fileSecrets = await FileSecretStore.open({ dir: settings.dataDir, key: settings.localSecretsKey, log });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    variables: new DynamoDbVariableStore(client, settings.tableName, log),
    secrets: fileSecrets ?? new SecretsManagerStore(secretsManager),
    secretsDescription: fileSecrets?.description ?? `AWS Secrets Manager, names starting ${settings.secretsPrefix}`,
    logStore: new DynamoDbBuildLogStore(client, settings.tableName),
    records: new DynamoDbBuildRecordStore(client, settings.tableName, log),
    intake: new DynamoDbIntakeStore(client, settings.tableName, log),
    heartbeats: new DynamoDbHeartbeatStore(client, settings.tableName, log),
    deploymentThreads: new DynamoDbDeploymentThreadStore(client, settings.tableName, log),
    description: embedded
      ? `embedded DynamoDB (dynalite) in ${dataPath}, served on the Unix socket ${embedded.socketPath}, table ${settings.tableName}`
      : `DynamoDB table ${settings.tableName}`,
    async close() {
      await embedded?.stop();
    },
  };
}
