import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "pino";
import type { Intent } from "../../../intake/intent.js";
import { intentSchema } from "../../../intake/intent-schema.js";
import type { IntakeStore, StoredIntent } from "../../../intake/store.js";
import { readStoredJson } from "../../../stored-data.js";
import { deleteRequest, writeAll } from "./batch.js";
import { createDocumentClient, type AppTable } from "./client.js";
import { DONE_INTENTS, intentKey, intentSortKey, PENDING_INTENTS, type ItemKey } from "./keys.js";
import { queryAll } from "./query.js";
import { isConditionFailure } from "./retry.js";
import { GSI1 } from "./table.js";

type Lease = Parameters<IntakeStore["claim"]>[1];
type ItemUpdate = Pick<ConstructorParameters<typeof UpdateCommand>[0], "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues">;

/** A lease that has run out, or was given up. */
const LEASE_FREE = "(attribute_not_exists(leaseUntil) OR leaseUntil <= :now)";

/**
 * Durable intake in the app's DynamoDB table (README: "Storage: the DynamoDB table"): one item
 * `pk=INTAKE#<deliveryId>`, `sk=INTENT` per delivery, put only where none is, so any replica
 * recognises a duplicate. Pending intents sit in `gsi1` under `INTAKE#PENDING` by receipt time; done
 * ones move to `INTAKE#DONE`, where `purge` finds them by age. Neither transactions nor TTL
 * (dynalite has neither). An intent read back is checked before it is processed: one that is not
 * an intent the app could have written is given up at once and logged without its contents.
 */
export class DynamoDbIntakeStore implements IntakeStore {
  private readonly table: AppTable;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly log: Pick<Logger, "warn">,
  ) {
    this.table = { documents: createDocumentClient(client), name: tableName };
  }

  /**
   * The first attempt is the recorder's own, so `attempts` starts at 1. A put whose answer was lost
   * and that the SDK sent again fails its condition on our own item: `writer` tells that apart.
   */
  async record(intent: Intent, lease: Lease, signal?: AbortSignal): Promise<boolean> {
    const receivedAt = new Date(lease.now).toISOString();
    const writer = randomBytes(8).toString("hex");
    const item = {
      ...intentKey(intent.deliveryId),
      gsi1pk: PENDING_INTENTS,
      gsi1sk: intentSortKey(receivedAt, intent.deliveryId),
      intent: JSON.stringify(intent),
      receivedAt,
      status: "pending",
      attempts: 1,
      leaseOwner: lease.owner,
      leaseUntil: lease.now + lease.ttlMs,
      writer,
    };
    try {
      await this.table.documents.send(
        new PutCommand({ TableName: this.table.name, Item: item, ConditionExpression: "attribute_not_exists(pk)" }),
        { abortSignal: signal },
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.table.documents.send(
        new GetCommand({ TableName: this.table.name, Key: intentKey(intent.deliveryId), ProjectionExpression: "writer", ConsistentRead: true }),
        { abortSignal: signal },
      );
      return out.Item?.writer === writer;
    }
  }

  async has(deliveryId: string): Promise<boolean> {
    const out = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: intentKey(deliveryId), ProjectionExpression: "pk", ConsistentRead: true }),
    );
    return out.Item !== undefined;
  }

  /** Live leases are filtered out after the read; few are live at once (those being processed), so few pages are read past them. */
  async expired(now: number, limit: number): Promise<StoredIntent[]> {
    if (limit <= 0) return [];
    const items = await queryAll(
      this.table,
      {
        IndexName: GSI1.IndexName,
        KeyConditionExpression: "gsi1pk = :pending",
        FilterExpression: LEASE_FREE,
        ExpressionAttributeValues: { ":pending": PENDING_INTENTS, ":now": now },
      },
      limit,
    );
    const intents: StoredIntent[] = [];
    for (const item of items) {
      const read = readStoredJson(intentSchema, item.intent);
      if (read.ok) intents.push({ intent: read.value, receivedAt: String(item.receivedAt), attempts: Number(item.attempts) });
      else await this.abandonUnreadable(item, read.problems);
    }
    return intents;
  }

  /** An item in the pending set that holds no intent: out of the pending set, so that it is neither processed nor read again. */
  private async abandonUnreadable(item: Record<string, unknown>, problems: string[]): Promise<void> {
    this.log.warn({ problems }, "a pending intent in the table is not one the app could have recorded: given up without processing it");
    await this.updateIf({ pk: String(item.pk), sk: String(item.sk) }, finishing("abandoned"));
  }

  async claim(deliveryId: string, lease: Lease): Promise<boolean> {
    return this.updateIf(intentKey(deliveryId), {
      UpdateExpression: "SET leaseOwner = :owner, leaseUntil = :until ADD attempts :one",
      ConditionExpression: `#status = :pending AND (${LEASE_FREE} OR leaseOwner = :owner)`,
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":owner": lease.owner, ":until": lease.now + lease.ttlMs, ":now": lease.now, ":one": 1, ":pending": "pending" },
    });
  }

  /** Also after the lease ran out, as long as nobody claimed the intent meanwhile. */
  async extend(deliveryId: string, lease: Lease): Promise<boolean> {
    return this.updateIf(intentKey(deliveryId), {
      UpdateExpression: "SET leaseUntil = :until",
      ConditionExpression: "#status = :pending AND leaseOwner = :owner",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":owner": lease.owner, ":until": lease.now + lease.ttlMs, ":pending": "pending" },
    });
  }

  /** The sort key stays, so done intents are found by receipt time too. Nothing to do for an unknown delivery. */
  async done(deliveryId: string, outcome: "processed" | "abandoned"): Promise<void> {
    await this.updateIf(intentKey(deliveryId), finishing(outcome));
  }

  /** Nothing to give up when another owner holds the lease, or nobody does. */
  async release(deliveryId: string, owner: string): Promise<void> {
    await this.updateIf(intentKey(deliveryId), {
      UpdateExpression: "REMOVE leaseOwner, leaseUntil",
      ConditionExpression: "leaseOwner = :owner",
      ExpressionAttributeValues: { ":owner": owner },
    });
  }

  /**
   * Reads the keys first, then deletes them in batches. Two replicas purging at once may both count
   * the same items.
   */
  async purge(before: string): Promise<number> {
    const keys = await queryAll(this.table, {
      IndexName: GSI1.IndexName,
      KeyConditionExpression: "gsi1pk = :done AND gsi1sk < :before",
      ExpressionAttributeValues: { ":done": DONE_INTENTS, ":before": comparableTime(before) },
      ProjectionExpression: "pk, sk",
    });
    await writeAll(this.table, keys.map(deleteRequest));
    return keys.length;
  }

  /** An update of an intent's item; false when its condition did not hold. */
  private async updateIf(key: ItemKey, update: ItemUpdate): Promise<boolean> {
    try {
      await this.table.documents.send(new UpdateCommand({ TableName: this.table.name, Key: key, ...update }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** Out of the pending set, into the done one: the sort key stays, so done intents are found by receipt time too. */
function finishing(outcome: "processed" | "abandoned"): ItemUpdate {
  return {
    UpdateExpression: "SET #status = :outcome, gsi1pk = :done REMOVE leaseOwner, leaseUntil",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: { ":outcome": outcome, ":done": DONE_INTENTS },
  };
}

/**
 * `before` in the form sort keys hold (`toISOString`), so comparing strings compares times: ISO
 * times written differently (no milliseconds, an offset) do not sort as their times do.
 */
function comparableTime(before: string): string {
  const time = Date.parse(before);
  if (Number.isNaN(time)) throw new RangeError(`Purging intents needs a time in ISO 8601 (like 2024-05-01T12:00:00Z), not "${before}"`);
  return new Date(time).toISOString();
}
