import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "pino";
import type { Intent } from "../../../ports/intent.js";
import { intentSchema } from "../../../ports/intent-schema.js";
import type { IntakeStore, IntentHolder, StoredIntent } from "../../../ports/intake-store.js";
import { readStoredJson } from "../../../lib/stored-data.js";
import { deleteRequest, writeAll } from "./batch.js";
import { createDocumentClient, type AppTable } from "./client.js";
import { DONE_INTENTS, intentKey, intentSortKey, PENDING_INTENTS, type ItemKey } from "./keys.js";
import { queryAll } from "./query.js";
import { isConditionFailure } from "./retry.js";
import { GSI1 } from "./table.js";

type ItemUpdate = Pick<
  ConstructorParameters<typeof UpdateCommand>[0],
  "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
>;

/** An intent not waiting to be tried again later. */
const DUE = "(attribute_not_exists(retryAt) OR retryAt <= :now)";
/** Values an `IN` list may hold (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html). */
const IN_LIST_MAX = 100;

/**
 * Durable intake in the app's DynamoDB table (docs/operations.md: "Storage: the DynamoDB table"): one item
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
   * The recorder's own work on it is its first attempt. A put whose answer was lost and that the
   * SDK sent again fails its condition on our own item: `writer` tells that apart.
   */
  async record(intent: Intent, taken: { by?: string; now: number }, signal?: AbortSignal): Promise<boolean> {
    const receivedAt = new Date(taken.now).toISOString();
    const writer = randomBytes(8).toString("hex");
    const item = {
      ...intentKey(intent.deliveryId),
      gsi1pk: PENDING_INTENTS,
      gsi1sk: intentSortKey(receivedAt, intent.deliveryId),
      intent: JSON.stringify(intent),
      receivedAt,
      status: "pending",
      attempts: taken.by === undefined ? 0 : 1,
      ...(taken.by !== undefined && { takenBy: taken.by }),
      writer,
    };
    try {
      await this.table.documents.send(new PutCommand({ TableName: this.table.name, Item: item, ConditionExpression: "attribute_not_exists(pk)" }), {
        abortSignal: signal,
      });
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

  /**
   * Intents held by the replicas in `except` are filtered out by DynamoDB, so pages of live
   * replicas' work are read past, not returned; past IN_LIST_MAX replicas (which no deployment
   * nears), the rest are filtered out after reading the whole pending set.
   */
  async pending(now: number, limit: number, except: ReadonlySet<string>): Promise<StoredIntent[]> {
    if (limit <= 0) return [];
    const excluded = [...except].slice(0, IN_LIST_MAX);
    const allExcluded = excluded.length === except.size;
    const names = excluded.map((_, i) => `:except${i}`);
    const items = await queryAll(
      this.table,
      {
        IndexName: GSI1.IndexName,
        KeyConditionExpression: "gsi1pk = :pending",
        FilterExpression: excluded.length === 0 ? DUE : `${DUE} AND (attribute_not_exists(takenBy) OR NOT (takenBy IN (${names.join(", ")})))`,
        ExpressionAttributeValues: { ":pending": PENDING_INTENTS, ":now": now, ...Object.fromEntries(excluded.map((replica, i) => [names[i], replica])) },
      },
      allExcluded ? limit : Infinity,
    );
    const intents: StoredIntent[] = [];
    for (const item of items) {
      const read = readStoredJson(intentSchema, item.intent);
      if (!read.ok) await this.abandonUnreadable(item, read.problems);
      else if (!(typeof item.takenBy === "string" && except.has(item.takenBy))) intents.push(storedIntent(read.value, item));
    }
    return intents.slice(0, limit);
  }

  async holderOf(deliveryId: string): Promise<IntentHolder | undefined> {
    const out = await this.table.documents.send(
      new GetCommand({
        TableName: this.table.name,
        Key: intentKey(deliveryId),
        ProjectionExpression: "#status, takenBy, attempts",
        ExpressionAttributeNames: { "#status": "status" },
        ConsistentRead: true,
      }),
    );
    if (out.Item?.status !== "pending") return undefined;
    return { attempts: Number(out.Item.attempts), ...(typeof out.Item.takenBy === "string" && { takenBy: out.Item.takenBy }) };
  }

  /** An item in the pending set that holds no intent: out of the pending set, so that it is neither processed nor read again. */
  private async abandonUnreadable(item: Record<string, unknown>, problems: string[]): Promise<void> {
    this.log.warn({ problems }, "a pending intent in the table is not one the app could have recorded: given up without processing it");
    await this.updateIf({ pk: String(item.pk), sk: String(item.sk) }, finishing("abandoned"));
  }

  async claim(deliveryId: string, by: string, from: string | undefined): Promise<boolean> {
    return this.updateIf(intentKey(deliveryId), {
      UpdateExpression: "SET takenBy = :by REMOVE retryAt ADD attempts :one",
      ConditionExpression: `#status = :pending AND ${from === undefined ? "attribute_not_exists(takenBy)" : "takenBy = :from"}`,
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":by": by, ":one": 1, ":pending": "pending", ...(from !== undefined && { ":from": from }) },
    });
  }

  /** The sort key stays, so done intents are found by receipt time too. Nothing to do for an unknown delivery. */
  async done(deliveryId: string, outcome: "processed" | "abandoned"): Promise<void> {
    await this.updateIf(intentKey(deliveryId), finishing(outcome));
  }

  /** Nothing to give up when another replica holds it, or nobody does. */
  async release(deliveryId: string, by: string, retryAt?: number): Promise<void> {
    await this.updateIf(intentKey(deliveryId), {
      UpdateExpression: retryAt === undefined ? "REMOVE takenBy" : "SET retryAt = :at REMOVE takenBy",
      ConditionExpression: "takenBy = :by",
      ExpressionAttributeValues: { ":by": by, ...(retryAt !== undefined && { ":at": retryAt }) },
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

function storedIntent(intent: Intent, item: Record<string, unknown>): StoredIntent {
  return {
    intent,
    receivedAt: String(item.receivedAt),
    attempts: Number(item.attempts),
    ...(typeof item.takenBy === "string" && { takenBy: item.takenBy }),
  };
}

/** Out of the pending set, into the done one: the sort key stays, so done intents are found by receipt time too. */
function finishing(outcome: "processed" | "abandoned"): ItemUpdate {
  return {
    UpdateExpression: "SET #status = :outcome, gsi1pk = :done REMOVE takenBy, retryAt",
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
