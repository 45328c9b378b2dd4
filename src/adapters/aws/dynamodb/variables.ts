import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "pino";
import { type AuditAction, type AuditEntry, type ChangeContext, type EntryInput, type StoredEntry, type VariableStore } from "../../../ports/variable-store.js";
import type { VariableScope } from "../../../domain/variables.js";
import { readAudit, writeAudit } from "./audit.js";
import { createDocumentClient, type AppTable } from "./client.js";
import { lastPerName, type Stamp } from "./items.js";
import { newVersion } from "./keys.js";
import { openPointer, readPointer, readPointers, recordChange, switchVersion, type VariableSetPointer } from "./pointer.js";
import { retryOnConflict } from "./retry.js";
import { collectGarbage, deleteFromVersion, readVersion, writeVersion } from "./versions.js";
import { VARIABLE_SCOPES } from "../../../domain/variables.js";

/**
 * Stored variables in the app's DynamoDB table (docs/operations.md: "Storage: the DynamoDB table"): one item
 * per variable in versions of each (repository, scope) set, and a pointer item naming the current
 * version. `set` and `unset` write into the current version and then check, with a conditional
 * update of the pointer, that it is still current; `replace` writes a whole new version and
 * switches the pointer to it with one conditional update, so readers see the old set or the new
 * one, never a mix. Neither transactions nor TTL (dynalite has neither).
 */
export class DynamoDbVariableStore implements VariableStore {
  private readonly table: AppTable;

  constructor(
    private readonly client: DynamoDBClient,
    tableName: string,
    private readonly log?: Pick<Logger, "warn">,
  ) {
    this.table = { documents: createDocumentClient(client), name: tableName };
  }

  /**
   * The scopes' pointers in one read, their current versions, and the pointers again: a replace
   * that switched meanwhile may have begun deleting a version just read, and then all is read anew.
   */
  async list(repositoryId: number, scopes: readonly VariableScope[] = VARIABLE_SCOPES): Promise<StoredEntry[]> {
    return retryOnConflict(`Reading the variables of repository ${repositoryId}`, async () => {
      const pointers = await readPointers(this.table, repositoryId, scopes);
      const current = scopes.flatMap((scope) => {
        const pointer = pointers.get(scope);
        return pointer ? [{ scope, version: pointer.version }] : [];
      });
      const perScope = await Promise.all(current.map(({ scope, version }) => readVersion(this.table, repositoryId, scope, version, this.log)));
      const after = await readPointers(this.table, repositoryId, scopes);
      const unchanged = after.size === pointers.size && [...pointers].every(([scope, pointer]) => after.get(scope)?.version === pointer.version);
      return unchanged ? perScope.flat() : undefined;
    });
  }

  async set(repositoryId: number, scope: VariableScope, entries: EntryInput[], change: ChangeContext): Promise<void> {
    const written = lastPerName(entries);
    if (written.length === 0) return;
    const stamp = stampOf(change);
    const pointer = await retryOnConflict(`Setting ${scope} variables of repository ${repositoryId}`, async () => {
      const { version } = await openPointer(this.table, repositoryId, scope);
      await writeVersion(this.table, repositoryId, scope, version, written, stamp);
      return recordChange(this.table, repositoryId, scope, version);
    });
    await writeAudit(this.table, auditEntries(repositoryId, scope, change, stamp, "set", written));
    await this.cleanUp(repositoryId, scope, pointer);
  }

  async unset(repositoryId: number, scope: VariableScope, names: string[], change: ChangeContext): Promise<StoredEntry[]> {
    const unique = [...new Set(names)];
    const done = await retryOnConflict(`Unsetting ${scope} variables of repository ${repositoryId}`, async () => {
      const current = await readPointer(this.table, repositoryId, scope);
      if (!current || unique.length === 0) return { removed: [] };
      const removed = await deleteFromVersion(this.table, repositoryId, scope, current.version, unique);
      const pointer = await recordChange(this.table, repositoryId, scope, current.version);
      return pointer && { removed, pointer };
    });
    await writeAudit(this.table, auditEntries(repositoryId, scope, change, stampOf(change), "unset", done.removed));
    if (done.pointer) await this.cleanUp(repositoryId, scope, done.pointer);
    return done.removed;
  }

  async replace(repositoryId: number, scope: VariableScope, entries: EntryInput[], change: ChangeContext): Promise<StoredEntry[]> {
    const written = lastPerName(entries);
    const stamp = stampOf(change);
    const { previous, pointer } = await retryOnConflict(`Replacing ${scope} variables of repository ${repositoryId}`, async () => {
      const base = await openPointer(this.table, repositoryId, scope);
      const version = newVersion(base.seq);
      await writeVersion(this.table, repositoryId, scope, version, written, stamp);
      const previous = await readVersion(this.table, repositoryId, scope, base.version, this.log);
      // Fails if any change was recorded since `base`: then `previous` may be stale, so start over.
      const pointer = await switchVersion(this.table, repositoryId, scope, base, version);
      return pointer && { previous, pointer };
    });
    const kept = new Set(written.map((e) => e.name));
    await writeAudit(this.table, [
      ...auditEntries(repositoryId, scope, change, stamp, "replace", written),
      ...auditEntries(
        repositoryId,
        scope,
        change,
        stamp,
        "unset",
        previous.filter((e) => !kept.has(e.name)),
      ),
    ]);
    await this.cleanUp(repositoryId, scope, pointer);
    return previous;
  }

  audit(repositoryId: number, limit?: number): Promise<AuditEntry[]> {
    return readAudit(this.table, repositoryId, limit);
  }

  async ping(): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.table.name }));
  }

  /** Best effort: the change is done, reads ignore dead versions, and the next write tries again. */
  private async cleanUp(repositoryId: number, scope: VariableScope, pointer: VariableSetPointer): Promise<void> {
    try {
      await collectGarbage(this.table, repositoryId, scope, pointer);
    } catch (error) {
      this.log?.warn({ err: error, repositoryId, scope }, "could not delete old versions of stored variables; the next change retries");
    }
  }
}

function stampOf(change: ChangeContext): Stamp {
  return { at: new Date().toISOString(), actor: change.actor };
}

function auditEntries(
  repositoryId: number,
  scope: VariableScope,
  change: ChangeContext,
  stamp: Stamp,
  action: AuditAction,
  names: readonly { name: string; isSecret: boolean }[],
): AuditEntry[] {
  return names.map(({ name, isSecret }) => ({ at: stamp.at, actor: change.actor, action, repositoryId, scope, name, isSecret, via: change.via }));
}
