import { z } from "zod";
import { variableNameProblem } from "../../../domain/variable-names.js";
import type { StoredRead } from "../../../lib/stored-data.js";
import type { EntryInput, StoredEntry } from "../../../ports/variable-store.js";
import { VARIABLE_SCOPES, type VariableScope } from "../../../domain/variables.js";
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

const storedItemSchema = z.discriminatedUnion("isSecret", [
  z.object({ isSecret: z.literal(false), value: z.string() }),
  z.object({ isSecret: z.literal(true), secretId: z.string().min(1), valueBytes: z.number().int().nonnegative() }),
]);
const stampSchema = z.object({
  // Checked as it is read back like any input: a name no user could have set never reaches a build.
  name: z.string().superRefine((name, context) => {
    const problem = variableNameProblem(name);
    if (problem) context.addIssue({ code: "custom", message: problem });
  }),
  scope: z.enum(VARIABLE_SCOPES as [VariableScope, ...VariableScope[]]),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

/** A variable's item read back: the entry, or what is wrong with it in words that repeat no value. */
export function storedEntry(item: Record<string, unknown>): StoredRead<StoredEntry> {
  const stamp = stampSchema.safeParse(item);
  const kind = storedItemSchema.safeParse(item);
  if (stamp.success && kind.success) return { ok: true, value: { ...stamp.data, ...kind.data } };
  const issues = [...(stamp.error?.issues ?? []), ...(kind.error?.issues ?? [])];
  return { ok: false, problems: issues.map((issue) => `${issue.path.join(".") || "(the item)"}: ${issue.message}`) };
}

/** The last entry given for each name: one write per key, as BatchWriteItem requires. */
export function lastPerName<T extends { name: string }>(entries: readonly T[]): T[] {
  return [...new Map(entries.map((e) => [e.name, e])).values()];
}
