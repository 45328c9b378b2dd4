import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "pino";
import type { BuildRecord, BuildRecordStore, BuildWatchers } from "../../../ports/build-records.js";
import { storedBuildRecordSchema } from "../../../ports/build-record-schema.js";
import type { Trigger } from "../../../domain/trigger.js";
import { triggerSchema } from "../../../domain/trigger-schema.js";
import { readStoredJson } from "../../../lib/stored-data.js";
import { createDocumentClient, type AppTable } from "./client.js";
import { buildRecordKey, rememberedTriggerKey, RUNNING_BUILDS, runningBuildSortKey, type ItemKey } from "./keys.js";
import { queryAll } from "./query.js";
import { isConditionFailure } from "./retry.js";
import { GSI1 } from "./table.js";

/**
 * Build records in the app's DynamoDB table (docs/operations.md: "Storage: the DynamoDB table"): one item
 * `pk=BUILD#<deploymentId>`, `sk=RECORD` beside the build's log chunks, holding the record as JSON.
 * `supersededBy` and the replica watching the build (`watchedBy`) are attributes of their own that
 * `put` never writes, so whoever writes the record cannot erase them; reads merge them back
 * in. A started, unfinished build also sits in `gsi1` under `BUILDS#RUNNING`, which is how every
 * replica finds the builds to watch. Neither transactions nor TTL (dynalite has neither).
 * A record read back is checked before anyone acts on it: one that is not a record the app could
 * have written is left out and logged without its contents (and taken out of the running builds).
 */
export class DynamoDbBuildRecordStore implements BuildRecordStore, BuildWatchers {
  private readonly table: AppTable;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly log: Pick<Logger, "warn">,
  ) {
    this.table = { documents: createDocumentClient(client), name: tableName };
  }

  /** An update, not a put: a put would replace the item and drop its watcher and `supersededBy`. */
  async put(record: BuildRecord): Promise<void> {
    const { supersededBy: _superseded, watchedBy: _watchedBy, ...rest } = record;
    const running = record.buildId !== undefined && !record.completed;
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: buildRecordKey(record.deploymentId),
        UpdateExpression: running ? "SET #record = :record, gsi1pk = :running, gsi1sk = :since" : "SET #record = :record REMOVE gsi1pk, gsi1sk",
        ExpressionAttributeNames: { "#record": "record" },
        ExpressionAttributeValues: {
          ":record": JSON.stringify(rest),
          ...(running && { ":running": RUNNING_BUILDS, ":since": runningBuildSortKey(record.createdAt, record.deploymentId) }),
        },
      }),
    );
  }

  async get(deploymentId: string): Promise<BuildRecord | undefined> {
    const out = await this.table.documents.send(new GetCommand({ TableName: this.table.name, Key: buildRecordKey(deploymentId), ConsistentRead: true }));
    return out.Item && this.recordOf(out.Item);
  }

  /** Oldest first. The index is eventually consistent: a build that just started or ended may be a moment late. */
  async listRunning(): Promise<BuildRecord[]> {
    const items = await queryAll(this.table, {
      IndexName: GSI1.IndexName,
      KeyConditionExpression: "gsi1pk = :running",
      ExpressionAttributeValues: { ":running": RUNNING_BUILDS },
    });
    const records: BuildRecord[] = [];
    for (const item of items) {
      const record = this.recordOf(item);
      if (record) records.push(record);
      else await this.leaveRunningBuilds({ pk: String(item.pk), sk: String(item.sk) });
    }
    return records;
  }

  async markSuperseded(deploymentId: string, bySha: string): Promise<void> {
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: buildRecordKey(deploymentId),
        UpdateExpression: "SET supersededBy = :sha",
        ExpressionAttributeValues: { ":sha": bySha },
      }),
    );
  }

  async rememberTrigger(deploymentId: string, trigger: Trigger): Promise<void> {
    await this.table.documents.send(
      new PutCommand({ TableName: this.table.name, Item: { ...rememberedTriggerKey(deploymentId), trigger: JSON.stringify(trigger) } }),
    );
  }

  async triggerOf(deploymentId: string): Promise<Trigger | undefined> {
    const record = await this.get(deploymentId);
    if (record) return record.trigger;
    const out = await this.table.documents.send(new GetCommand({ TableName: this.table.name, Key: rememberedTriggerKey(deploymentId), ConsistentRead: true }));
    if (out.Item === undefined) return undefined;
    const read = readStoredJson(triggerSchema, out.Item.trigger);
    if (read.ok) return read.value;
    this.log.warn({ problems: read.problems }, "a remembered trigger in the table is not one the app could have written: left out");
    return undefined;
  }

  /** Only on a written record: `markSuperseded` alone leaves an item without one. */
  async takeOver(deploymentId: string, from: string | undefined, to: string): Promise<boolean> {
    return this.updateIf(deploymentId, {
      UpdateExpression: "SET watchedBy = :to",
      ConditionExpression: `attribute_exists(#record) AND ${from === undefined ? "attribute_not_exists(watchedBy)" : "watchedBy = :from"}`,
      ExpressionAttributeNames: { "#record": "record" },
      ExpressionAttributeValues: { ":to": to, ...(from !== undefined && { ":from": from }) },
    });
  }

  /** Nothing to give up when another replica took the build over meanwhile, or nobody watches it. */
  async release(deploymentId: string, replica: string): Promise<void> {
    await this.updateIf(deploymentId, {
      UpdateExpression: "REMOVE watchedBy",
      ConditionExpression: "watchedBy = :replica",
      ExpressionAttributeValues: { ":replica": replica },
    });
  }

  /**
   * The record an item holds, with its `supersededBy` and watcher; undefined for an item that only has
   * marks, or whose record is not one the app could have written.
   */
  private recordOf(item: Record<string, unknown>): BuildRecord | undefined {
    if (item.record === undefined) return undefined;
    const read = readStoredJson(storedBuildRecordSchema, item.record);
    if (!read.ok) {
      this.log.warn({ problems: read.problems }, "a build record in the table is not one the app could have written: left out");
      return undefined;
    }
    return {
      ...read.value,
      ...(typeof item.supersededBy === "string" && { supersededBy: item.supersededBy }),
      ...(typeof item.watchedBy === "string" && { watchedBy: item.watchedBy }),
    };
  }

  /** An unreadable record no longer counts as running, so that no replica reads it again every tick. */
  private async leaveRunningBuilds(key: ItemKey): Promise<void> {
    await this.table.documents.send(new UpdateCommand({ TableName: this.table.name, Key: key, UpdateExpression: "REMOVE gsi1pk, gsi1sk" }));
  }

  /** An update of the record's item; false when its condition did not hold. */
  private async updateIf(
    deploymentId: string,
    update: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    >,
  ): Promise<boolean> {
    try {
      await this.table.documents.send(new UpdateCommand({ TableName: this.table.name, Key: buildRecordKey(deploymentId), ...update }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
