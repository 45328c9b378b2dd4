import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { VariableScope } from "../../../domain/variables.js";
import type { AppTable } from "./client.js";
import { newVersion, variableSetKey } from "./keys.js";
import { isConditionFailure, pause } from "./retry.js";

/**
 * Which version of a scope's variables is current, and a counter that every change moves on, so a
 * replace can tell that nothing changed between reading the old set and switching to the new one.
 */
export interface VariableSetPointer {
  version: string;
  seq: number;
}

export async function readPointer(table: AppTable, repositoryId: number, scope: VariableScope): Promise<VariableSetPointer | undefined> {
  const out = await table.documents.send(new GetCommand({ TableName: table.name, Key: variableSetKey(repositoryId, scope), ConsistentRead: true }));
  return out.Item && toPointer(out.Item);
}

/** Unprocessed keys come back under throttling; give up when they keep coming back. */
const MAX_BATCH_GET_ATTEMPTS = 8;

/** The pointers of several scopes in one consistent BatchGetItem (at most 100 keys: the three scopes are). */
export async function readPointers(table: AppTable, repositoryId: number, scopes: readonly VariableScope[]): Promise<Map<VariableScope, VariableSetPointer>> {
  const pointers = new Map<VariableScope, VariableSetPointer>();
  const scopeOf = new Map(scopes.map((scope) => [variableSetKey(repositoryId, scope).sk, scope]));
  let keys: Record<string, unknown>[] = scopes.map((scope) => ({ ...variableSetKey(repositoryId, scope) }));
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt === MAX_BATCH_GET_ATTEMPTS)
      throw new Error(`DynamoDB left reads of table ${table.name} unprocessed ${MAX_BATCH_GET_ATTEMPTS} times: the table is throttled, try again`);
    if (attempt > 0) await pause(attempt - 1);
    const out = await table.documents.send(new BatchGetCommand({ RequestItems: { [table.name]: { Keys: keys, ConsistentRead: true } } }));
    for (const item of out.Responses?.[table.name] ?? []) {
      const scope = scopeOf.get(String(item.sk));
      if (scope) pointers.set(scope, toPointer(item));
    }
    keys = out.UnprocessedKeys?.[table.name]?.Keys ?? [];
  }
  return pointers;
}

/** The pointer, created with an empty first version when the scope has never been written. */
export async function openPointer(table: AppTable, repositoryId: number, scope: VariableScope): Promise<VariableSetPointer> {
  const existing = await readPointer(table, repositoryId, scope);
  if (existing) return existing;
  const created = { version: newVersion(0), seq: 0 };
  try {
    await table.documents.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...variableSetKey(repositoryId, scope), ...created },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return created;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return openPointer(table, repositoryId, scope);
  }
}

/**
 * Records a change written into `version`; undefined when a replace switched away from it
 * meanwhile, so the change must be written again into the new version.
 */
export async function recordChange(table: AppTable, repositoryId: number, scope: VariableScope, version: string): Promise<VariableSetPointer | undefined> {
  return conditionalUpdate(table, {
    Key: variableSetKey(repositoryId, scope),
    UpdateExpression: "ADD seq :one",
    ConditionExpression: "version = :version",
    ExpressionAttributeValues: { ":one": 1, ":version": version },
  });
}

/** Makes `version` current if nothing changed since `from` was read; undefined when something did. */
export async function switchVersion(
  table: AppTable,
  repositoryId: number,
  scope: VariableScope,
  from: VariableSetPointer,
  version: string,
): Promise<VariableSetPointer | undefined> {
  return conditionalUpdate(table, {
    Key: variableSetKey(repositoryId, scope),
    UpdateExpression: "SET version = :next, seq = :nextSeq",
    ConditionExpression: "version = :version AND seq = :seq",
    ExpressionAttributeValues: { ":next": version, ":nextSeq": from.seq + 1, ":version": from.version, ":seq": from.seq },
  });
}

async function conditionalUpdate(
  table: AppTable,
  update: Pick<ConstructorParameters<typeof UpdateCommand>[0], "Key" | "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeValues">,
): Promise<VariableSetPointer | undefined> {
  try {
    const out = await table.documents.send(new UpdateCommand({ TableName: table.name, ReturnValues: "ALL_NEW", ...update }));
    return out.Attributes && toPointer(out.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

function toPointer(item: Record<string, unknown>): VariableSetPointer {
  return { version: String(item.version), seq: Number(item.seq) };
}
