import type { EntryInput, StoredEntry } from "../../../ports/variable-store.js";
import type { VariableScope } from "../../../domain/variables.js";
import { variableKey } from "./keys.js";

/** Who wrote a version's items, and when. */
export interface Stamp {
  at: string;
  actor: string;
}

/** One variable's item: a plain value, or a secret's id and size, never a secret's value. */
export function variableItem(repositoryId: number, scope: VariableScope, version: string, entry: EntryInput, stamp: Stamp): Record<string, unknown> {
  const common = { ...variableKey(repositoryId, scope, version, entry.name), name: entry.name, scope, updatedAt: stamp.at, updatedBy: stamp.actor };
  return entry.isSecret
    ? { ...common, isSecret: true, secretId: entry.secretId, valueBytes: entry.valueBytes }
    : { ...common, isSecret: false, value: entry.value };
}

export function storedEntry(item: Record<string, unknown>): StoredEntry {
  const common = {
    name: String(item.name),
    scope: item.scope as VariableScope,
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
  };
  return item.isSecret === true
    ? { ...common, isSecret: true, secretId: String(item.secretId), valueBytes: Number(item.valueBytes) }
    : { ...common, isSecret: false, value: String(item.value ?? "") };
}

/** The last entry given for each name: one write per key, as BatchWriteItem requires. */
export function lastPerName<T extends { name: string }>(entries: readonly T[]): T[] {
  return [...new Map(entries.map((e) => [e.name, e])).values()];
}
