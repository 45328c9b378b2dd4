import type { AuditEntry, ChangeContext, EntryInput, StoredEntry, VariableStore } from "../../src/ports/variable-store.js";
import type { VariableScope } from "../../src/domain/variables.js";
import { VARIABLE_SCOPES } from "../../src/domain/variables.js";

/**
 * VariableStore in memory, with the DynamoDB store's behaviour: entries keyed by repository id,
 * scope and name; every change stamped and audited. `unreachable` makes `ping` fail.
 */
export class MemoryVariableStore implements VariableStore {
  readonly auditTrail: AuditEntry[] = [];
  readonly repositories = new Map<number, StoredEntry[]>();
  unreachable = false;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async list(repositoryId: number, scopes: readonly VariableScope[] = VARIABLE_SCOPES): Promise<StoredEntry[]> {
    return this.of(repositoryId)
      .filter((e) => scopes.includes(e.scope))
      .map((e) => ({ ...e }));
  }

  async set(repositoryId: number, scope: VariableScope, entries: EntryInput[], change: ChangeContext): Promise<void> {
    const names = new Set(entries.map((e) => e.name));
    const kept = this.of(repositoryId).filter((e) => e.scope !== scope || !names.has(e.name));
    this.repositories.set(repositoryId, [...kept, ...entries.map((e) => this.stamp(e, scope, change))]);
    for (const e of entries) this.record(repositoryId, scope, "set", e.name, e.isSecret, change);
  }

  async unset(repositoryId: number, scope: VariableScope, names: string[], change: ChangeContext): Promise<StoredEntry[]> {
    const all = this.of(repositoryId);
    const removed = all.filter((e) => e.scope === scope && names.includes(e.name));
    this.repositories.set(
      repositoryId,
      all.filter((e) => !removed.includes(e)),
    );
    for (const e of removed) this.record(repositoryId, scope, "unset", e.name, e.isSecret, change);
    return removed;
  }

  async replace(repositoryId: number, scope: VariableScope, entries: EntryInput[], change: ChangeContext): Promise<StoredEntry[]> {
    const all = this.of(repositoryId);
    const previous = all.filter((e) => e.scope === scope);
    this.repositories.set(repositoryId, [...all.filter((e) => e.scope !== scope), ...entries.map((e) => this.stamp(e, scope, change))]);
    // One audit line per name the replace touched, the new set's and the dropped ones (the new kind wins).
    const named = new Map<string, boolean>([...previous, ...entries].map((e) => [e.name, e.isSecret]));
    for (const [name, isSecret] of named) this.record(repositoryId, scope, "replace", name, isSecret, change);
    return previous.map((e) => ({ ...e }));
  }

  async audit(repositoryId: number, limit = 100): Promise<AuditEntry[]> {
    return this.auditTrail
      .filter((a) => a.repositoryId === repositoryId)
      .reverse()
      .slice(0, limit);
  }

  async ping(): Promise<void> {
    if (this.unreachable) throw new Error("the memory store is set unreachable");
  }

  private of(repositoryId: number): StoredEntry[] {
    return this.repositories.get(repositoryId) ?? [];
  }

  private stamp(input: EntryInput, scope: VariableScope, change: ChangeContext): StoredEntry {
    return { ...input, scope, updatedAt: this.now().toISOString(), updatedBy: change.actor };
  }

  private record(repositoryId: number, scope: VariableScope, action: AuditEntry["action"], name: string, isSecret: boolean, change: ChangeContext): void {
    this.auditTrail.push({ at: this.now().toISOString(), actor: change.actor, action, repositoryId, scope, name, isSecret, via: change.via });
  }
}
