import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { AppTable } from "./client.js";

export type QueryInput = Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey" | "Limit">;

/** Every item a query matches (up to `max`), following DynamoDB's 1 MB pages. */
export async function queryAll(table: AppTable, input: QueryInput, max = Infinity): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const remaining = max - items.length;
    const out = await table.documents.send(
      new QueryCommand({ ...input, TableName: table.name, ExclusiveStartKey: start, Limit: Number.isFinite(remaining) ? remaining : undefined }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start && items.length < max);
  return items;
}
