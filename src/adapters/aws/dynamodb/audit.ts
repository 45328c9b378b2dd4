import type { AuditEntry } from "../../../ports/variable-store.js";
import type { VariableScope } from "../../../domain/variables.js";
import { putRequest, writeAll } from "./batch.js";
import type { AppTable } from "./client.js";
import { AUDIT_PREFIX, auditKey, repositoryKey } from "./keys.js";
import { queryAll } from "./query.js";

/** How many changes `audit` returns when the caller sets no limit. */
export const DEFAULT_AUDIT_LIMIT = 100;

/** One item per changed name. */
export async function writeAudit(table: AppTable, entries: readonly AuditEntry[]): Promise<void> {
  await writeAll(
    table,
    entries.map((e) => putRequest(auditItem(e))),
  );
}

/** Field by field, so nothing else an entry object may carry (a value) reaches the trail. */
function auditItem(e: AuditEntry): Record<string, unknown> {
  const { at, actor, action, repositoryId, scope, name, isSecret, via } = e;
  return { ...auditKey(repositoryId, at), at, actor, action, repositoryId, scope, name, isSecret, via };
}

/** A repository's changes, newest first. */
export async function readAudit(table: AppTable, repositoryId: number, limit = DEFAULT_AUDIT_LIMIT): Promise<AuditEntry[]> {
  if (limit <= 0) return [];
  const items = await queryAll(
    table,
    {
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": repositoryKey(repositoryId), ":prefix": AUDIT_PREFIX },
      ScanIndexForward: false,
    },
    limit,
  );
  return items.map(auditEntry);
}

function auditEntry(item: Record<string, unknown>): AuditEntry {
  return {
    at: String(item.at),
    actor: String(item.actor),
    action: item.action as AuditEntry["action"],
    repositoryId: Number(item.repositoryId),
    scope: item.scope as VariableScope,
    name: String(item.name),
    isSecret: item.isSecret === true,
    via: item.via as AuditEntry["via"],
  };
}
