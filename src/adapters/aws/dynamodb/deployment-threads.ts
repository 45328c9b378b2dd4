import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "pino";
import type { DeploymentThreadStore } from "../../../ports/deployments.js";
import { emptyThread, type DeploymentThread, type ThreadKey } from "../../../deployments/thread.js";
import { threadSchema } from "../../../deployments/thread-schema.js";
import { readStoredJson } from "../../../lib/stored-data.js";
import { createDocumentClient, type AppTable } from "./client.js";
import { deploymentThreadKey } from "./keys.js";
import { isConditionFailure } from "./retry.js";

/**
 * Pull requests' deployment threads in the app's table (docs/operations.md: "Storage: the DynamoDB
 * table"): one item `pk=PULL#<repositoryId>#<number>`, `sk=DEPLOYMENTS`, the thread as JSON beside
 * its version, written on condition that the version is the one read. A thread read back is input:
 * one that is not a thread the app could have written counts as an empty one at its version, which
 * the next write replaces (a new comment is made).
 */
export class DynamoDbDeploymentThreadStore implements DeploymentThreadStore {
  private readonly table: AppTable;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly log: Pick<Logger, "warn">,
  ) {
    this.table = { documents: createDocumentClient(client), name: tableName };
  }

  async get(key: ThreadKey): Promise<DeploymentThread | undefined> {
    const out = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: deploymentThreadKey(key.repositoryId, key.pullRequest), ConsistentRead: true }),
    );
    if (out.Item === undefined) return undefined;
    const read = readStoredJson(threadSchema, out.Item.thread);
    if (read.ok && read.value.repositoryId === key.repositoryId && read.value.pullRequest === key.pullRequest && read.value.version === out.Item.version)
      return read.value;
    this.log.warn(
      { problems: read.ok ? ["names another pull request or version"] : read.problems },
      "a deployment thread in the table is not one the app could have written: replaced",
    );
    const version = out.Item.version;
    return { ...emptyThread(key), version: Number.isSafeInteger(version) && (version as number) > 0 ? (version as number) : 0 };
  }

  async put(thread: DeploymentThread, readVersion: number): Promise<boolean> {
    const version = readVersion + 1;
    try {
      await this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: { ...deploymentThreadKey(thread.repositoryId, thread.pullRequest), version, thread: JSON.stringify({ ...thread, version }) },
          ...(readVersion === 0
            ? { ConditionExpression: "attribute_not_exists(version)" }
            : { ConditionExpression: "version = :read", ExpressionAttributeValues: { ":read": readVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
