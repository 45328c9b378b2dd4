import { BatchWriteCommand, type BatchWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { AppTable } from "./client.js";
import { pause } from "./retry.js";

/** BatchWriteItem takes at most 25 put or delete requests per call (DynamoDB API reference). */
export const BATCH_WRITE_MAX_REQUESTS = 25;

/** Unprocessed items come back under throttling; give up when they keep coming back. */
const MAX_ATTEMPTS = 8;

export type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number];

export function putRequest(item: Record<string, unknown>): WriteRequest {
  return { PutRequest: { Item: item } };
}

export function deleteRequest(key: Record<string, unknown>): WriteRequest {
  return { DeleteRequest: { Key: key } };
}

/** Writes all requests (none twice for the same key), retrying what DynamoDB leaves unprocessed. */
export async function writeAll(table: AppTable, requests: WriteRequest[]): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX_REQUESTS) {
    await writeBatch(table, requests.slice(i, i + BATCH_WRITE_MAX_REQUESTS));
  }
}

async function writeBatch(table: AppTable, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const out = await table.documents.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } }));
    pending = out.UnprocessedItems?.[table.name] ?? [];
    if (pending.length === 0) return;
    await pause(attempt);
  }
  throw new Error(`DynamoDB left ${pending.length} writes to table ${table.name} unprocessed ${MAX_ATTEMPTS} times: the table is throttled, try again`);
}
