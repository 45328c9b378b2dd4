import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "pino";
import type { EntryInput, StoredEntry } from "../../../ports/variable-store.js";
import type { VariableScope } from "../../../domain/variables.js";
import { deleteRequest, putRequest, writeAll, BATCH_WRITE_MAX_REQUESTS } from "./batch.js";
import type { AppTable } from "./client.js";
import { garbageRanges, repositoryKey, variableKey, versionPrefix } from "./keys.js";
import type { VariableSetPointer } from "./pointer.js";
import { queryAll } from "./query.js";
import { storedEntry, variableItem, type Stamp } from "./items.js";

/**
 * The entries of one version of a scope, in name order. Items are read back like any input: one
 * that is not a variable the app could have written (a forged or damaged item) is left out, and
 * said in the log.
 */
export async function readVersion(
  table: AppTable,
  repositoryId: number,
  scope: VariableScope,
  version: string,
  log?: Pick<Logger, "warn">,
): Promise<StoredEntry[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: { ":pk": repositoryKey(repositoryId), ":prefix": versionPrefix(scope, version) },
    ConsistentRead: true,
  });
  return items.flatMap((item) => {
    const read = storedEntry(item);
    if (read.ok) return [read.value];
    log?.warn({ repositoryId, scope, problems: read.problems }, "a stored variable's item is not one the app wrote; it is left out");
    return [];
  });
}

/** Puts entries into a version, each replacing whatever that name held (plain or secret). */
export async function writeVersion(
  table: AppTable,
  repositoryId: number,
  scope: VariableScope,
  version: string,
  entries: readonly EntryInput[],
  stamp: Stamp,
): Promise<void> {
  await writeAll(
    table,
    entries.map((e) => putRequest(variableItem(repositoryId, scope, version, e, stamp))),
  );
}

/** Deletes names from a version; returns the entries that were there. */
export async function deleteFromVersion(
  table: AppTable,
  repositoryId: number,
  scope: VariableScope,
  version: string,
  names: readonly string[],
): Promise<StoredEntry[]> {
  const removed: StoredEntry[] = [];
  for (let i = 0; i < names.length; i += BATCH_WRITE_MAX_REQUESTS) {
    // DeleteItem, not BatchWriteItem: only it returns what it deleted.
    const outs = await Promise.all(
      names
        .slice(i, i + BATCH_WRITE_MAX_REQUESTS)
        .map((name) =>
          table.documents.send(new DeleteCommand({ TableName: table.name, Key: variableKey(repositoryId, scope, version, name), ReturnValues: "ALL_OLD" })),
        ),
    );
    for (const out of outs) {
      const read = out.Attributes && storedEntry(out.Attributes);
      if (read?.ok) removed.push(read.value);
    }
  }
  return removed;
}

/**
 * Deletes the items of a scope's dead versions (see garbageRanges): the previous version after a
 * replace, and whatever a replace that lost a race or crashed left behind.
 */
export async function collectGarbage(table: AppTable, repositoryId: number, scope: VariableScope, pointer: VariableSetPointer): Promise<void> {
  for (const range of garbageRanges(scope, pointer)) {
    const keys = await queryAll(table, {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": repositoryKey(repositoryId), ":from": range.from, ":to": range.to },
      ProjectionExpression: "pk, sk",
    });
    await writeAll(table, keys.map(deleteRequest));
  }
}
