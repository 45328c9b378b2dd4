import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "pino";
import { z } from "zod";
import type { HeartbeatStore } from "../../../ports/heartbeats.js";
import { createDocumentClient, type AppTable } from "./client.js";
import { heartbeatKey, REPLICAS } from "./keys.js";
import { queryAll } from "./query.js";
import { isConditionFailure } from "./retry.js";
import { GSI1 } from "./table.js";

/** A heartbeat as written: the time its replica lives until, in ms since the epoch. */
const heartbeatSchema = z.object({ liveUntil: z.number().int().nonnegative() });

/**
 * Heartbeats in the app's table (README: "Storage: the DynamoDB table"): one item
 * `pk=REPLICA#<replica>`, `sk=HEARTBEAT` per replica, holding `liveUntil`, and in `gsi1` under
 * `REPLICAS`, where `purge` finds the ones that ran out. Read back as input: a heartbeat that is not
 * one the app could have written counts as none (its replica's work is free).
 */
export class DynamoDbHeartbeatStore implements HeartbeatStore {
  private readonly table: AppTable;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly log: Pick<Logger, "warn">,
  ) {
    this.table = { documents: createDocumentClient(client), name: tableName };
  }

  async beat(replica: string, until: number): Promise<void> {
    await this.table.documents.send(
      new PutCommand({ TableName: this.table.name, Item: { ...heartbeatKey(replica), gsi1pk: REPLICAS, gsi1sk: replica, liveUntil: until } }),
    );
  }

  async liveUntil(replica: string): Promise<number | undefined> {
    const out = await this.table.documents.send(new GetCommand({ TableName: this.table.name, Key: heartbeatKey(replica), ConsistentRead: true }));
    if (out.Item === undefined) return undefined;
    const read = heartbeatSchema.safeParse(out.Item);
    if (read.success) return read.data.liveUntil;
    this.log.warn(
      { problems: read.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) },
      "a heartbeat in the table is not one the app could have written: its replica counts as gone",
    );
    return undefined;
  }

  async remove(replica: string): Promise<void> {
    await this.table.documents.send(new DeleteCommand({ TableName: this.table.name, Key: heartbeatKey(replica) }));
  }

  /** Each is deleted on condition that it still ran out: a replica may have beaten since it was read. */
  async purge(now: number): Promise<number> {
    const gone = await queryAll(this.table, {
      IndexName: GSI1.IndexName,
      KeyConditionExpression: "gsi1pk = :replicas",
      FilterExpression: "liveUntil <= :now",
      ExpressionAttributeValues: { ":replicas": REPLICAS, ":now": now },
      ProjectionExpression: "pk, sk",
    });
    let removed = 0;
    for (const key of gone) {
      try {
        await this.table.documents.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: { pk: key.pk, sk: key.sk },
            ConditionExpression: "liveUntil <= :now",
            ExpressionAttributeValues: { ":now": now },
          }),
        );
        removed++;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return removed;
  }
}
