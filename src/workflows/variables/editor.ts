import { MASK } from "../../variables/masking.js";
import { MAX_ENVIRONMENT_BYTES, variableNameProblem, variableValueProblem } from "../../domain/variable-names.js";
import { secretTags, storedSecrets, type SecretTags } from "./secret-tags.js";
import { secretName, type ChangeContext, type EntryInput, type SecretStore, type StoredEntry, type VariableStore } from "../../ports/variable-store.js";
import type { VariableScope } from "../../domain/variables.js";
import type { EnvironmentName } from "../../domain/environment.js";

/** A secret's value as clients send it back to keep it unchanged (SPEC 7). */
export const MASKED_VALUE = MASK;

/** The repository whose variables change. */
export interface RepositoryTarget {
  id: number;
  /** `owner/name`: the operator's map (CODEBUILD_PROJECTS) puts the repository's secrets in a trust domain by it. */
  fullName: string;
}

/** How the repository's secrets are tagged for their trust domain (SPEC 3). */
export interface SecretDomains {
  tags: SecretTags;
  /** The project whose roles may read the repository's secrets. */
  domainOf(fullName: string): string | undefined;
}

export interface VariableChange {
  name: string;
  isSecret: boolean;
  /** For a secret in `replace`: undefined or `***` keeps the stored value. */
  value?: string;
}

/** A problem with the input, pointing at the field that caused it (for zod-like `issues`). */
export interface EditProblem {
  path: (string | number)[];
  message: string;
}

/** A change made, with the repository's stored entries after it; or why nothing was changed. */
export type EditResult = { ok: true; entries: StoredEntry[] } | { ok: false; problems: EditProblem[] };

/**
 * Changes a repository's stored variables and secrets (SPEC 3): validates names and sizes,
 * writes secret values to the SecretStore and only their names to the VariableStore, and
 * deletes secrets no longer referenced. Shared by the HTTP API and slash commands. Each change
 * takes the repository's entries as its caller read them (`current`; read here when not given) and
 * answers with the entries after it, so that one command reads the store once.
 */
export class VariableEditor {
  constructor(
    private readonly variables: VariableStore,
    private readonly secrets: SecretStore,
    private readonly secretsPrefix: string,
    private readonly domains: SecretDomains,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async set(
    repo: RepositoryTarget,
    scope: VariableScope,
    changes: VariableChange[],
    change: ChangeContext,
    current?: readonly StoredEntry[],
  ): Promise<EditResult> {
    const problems = validateChanges(changes, { requireValues: true });
    if (problems.length > 0) return { ok: false, problems };
    const before = current ?? (await this.variables.list(repo.id));
    const names = new Set(changes.map((c) => c.name));
    const others = before.filter((e) => e.scope !== scope || !names.has(e.name));
    const next = [...others, ...changes.map((c) => sized(c, scope))];
    const sizeProblems = environmentSizeProblems(next);
    if (sizeProblems.length > 0) return { ok: false, problems: sizeProblems };

    const entries = await this.storeSecrets(repo, scope, changes, before);
    await this.variables.set(repo.id, scope, entries, change);
    const after = [...others, ...this.stamped(entries, scope, change)];
    return this.settle(repo, before, after);
  }

  async unset(repo: RepositoryTarget, scope: VariableScope, names: string[], change: ChangeContext, current?: readonly StoredEntry[]): Promise<EditResult> {
    const before = current ?? (await this.variables.list(repo.id));
    const removed = await this.variables.unset(repo.id, scope, names, change);
    const gone = new Set(names);
    return this.settle(
      repo,
      removed,
      before.filter((e) => e.scope !== scope || !gone.has(e.name)),
    );
  }

  async replace(
    repo: RepositoryTarget,
    scope: VariableScope,
    changes: VariableChange[],
    change: ChangeContext,
    current?: readonly StoredEntry[],
  ): Promise<EditResult> {
    const before = current ?? (await this.variables.list(repo.id));
    const kept = new Map(before.flatMap((e) => (e.scope === scope && e.isSecret ? [[e.name, e] as const] : [])));
    const problems = validateChanges(changes, { requireValues: false, keptSecrets: kept });
    if (problems.length > 0) return { ok: false, problems };
    const next = [...before.filter((e) => e.scope !== scope), ...changes.map((c) => sized(c, scope, kept.get(c.name)))];
    const sizeProblems = environmentSizeProblems(next);
    if (sizeProblems.length > 0) return { ok: false, problems: sizeProblems };

    const entries = await this.storeSecrets(repo, scope, changes, before);
    const previous = await this.variables.replace(repo.id, scope, entries, change);
    return this.settle(repo, previous, [...before.filter((e) => e.scope !== scope), ...this.stamped(entries, scope, change)]);
  }

  /**
   * After a change: secrets that `dropped` referenced and `after` does not are scheduled for
   * deletion, and the others are tagged for the domain the operator's map puts the repository in now.
   */
  private async settle(repo: RepositoryTarget, dropped: readonly StoredEntry[], after: StoredEntry[]): Promise<EditResult> {
    await this.deleteUnreferenced(dropped, after);
    await this.domains.tags.ensure(repo.id, storedSecrets(after), this.domains.domainOf(repo.fullName));
    return { ok: true, entries: after };
  }

  /** What the store now holds for `entries`, as a reader would find it. */
  private stamped(entries: readonly EntryInput[], scope: VariableScope, change: ChangeContext): StoredEntry[] {
    const updatedAt = this.now().toISOString();
    return entries.map((e) => ({ ...e, scope, updatedAt, updatedBy: change.actor }));
  }

  /** Writes new secret values first, so a reference never points at a missing value. */
  private async storeSecrets(repo: RepositoryTarget, scope: VariableScope, changes: VariableChange[], current: readonly StoredEntry[]): Promise<EntryInput[]> {
    const entries: EntryInput[] = [];
    for (const c of changes) {
      if (!c.isSecret) {
        entries.push({ name: c.name, isSecret: false, value: c.value ?? "" });
        continue;
      }
      const existing = current.find((e) => e.scope === scope && e.name === c.name && e.isSecret);
      if (keepsStoredValue(c) && existing?.isSecret) {
        entries.push({ name: c.name, isSecret: true, secretId: existing.secretId, valueBytes: existing.valueBytes });
        continue;
      }
      const value = c.value ?? "";
      const name = secretName(this.secretsPrefix, repo.id, scope, c.name);
      const tags = secretTags(repo.id, scope, this.domains.domainOf(repo.fullName));
      const { arn } = await this.secrets.put(name, value, tags);
      this.domains.tags.written(arn, tags);
      entries.push({ name: c.name, isSecret: true, secretId: arn, valueBytes: Buffer.byteLength(value, "utf8") });
    }
    return entries;
  }

  /** Secrets that were referenced before and are not any more are scheduled for deletion. */
  private async deleteUnreferenced(before: readonly StoredEntry[], after: readonly StoredEntry[]): Promise<void> {
    const referenced = new Set(after.flatMap((e) => (e.isSecret ? [e.secretId] : [])));
    for (const entry of before) {
      if (entry.isSecret && !referenced.has(entry.secretId)) await this.secrets.delete(entry.secretId);
    }
  }
}

function keepsStoredValue(change: VariableChange): boolean {
  return change.value === undefined || change.value === MASKED_VALUE;
}

function validateChanges(changes: VariableChange[], options: { requireValues: boolean; keptSecrets?: Map<string, StoredEntry> }): EditProblem[] {
  const problems: EditProblem[] = [];
  const seen = new Set<string>();
  changes.forEach((c, i) => {
    const nameProblem = variableNameProblem(c.name);
    if (nameProblem) problems.push({ path: [i, "key"], message: nameProblem });
    if (seen.has(c.name)) problems.push({ path: [i, "key"], message: `${c.name} is given more than once` });
    seen.add(c.name);
    if (c.isSecret && keepsStoredValue(c)) {
      if (options.requireValues) {
        problems.push({
          path: [i, "value"],
          message: `${c.name} needs a value: ${MASKED_VALUE} keeps a stored secret only when a whole environment is replaced`,
        });
      } else if (!options.keptSecrets?.has(c.name)) {
        problems.push({ path: [i, "value"], message: `${c.name} has no stored secret value to keep: send its value` });
      }
      return;
    }
    if (c.value === undefined) {
      problems.push({ path: [i, "value"], message: `${c.name} needs a value` });
      return;
    }
    const valueProblem = variableValueProblem(c.name, c.value);
    if (valueProblem) problems.push({ path: [i, "value"], message: valueProblem });
  });
  return problems;
}

function sized(change: VariableChange, scope: VariableScope, kept?: StoredEntry): StoredEntry {
  const base = { name: change.name, scope, updatedAt: "", updatedBy: "" };
  if (!change.isSecret) return { ...base, isSecret: false, value: change.value ?? "" };
  const valueBytes = keepsStoredValue(change) && kept?.isSecret ? kept.valueBytes : Buffer.byteLength(change.value ?? "", "utf8");
  return { ...base, isSecret: true, secretId: "", valueBytes };
}

/** Stored variables for `all` plus one environment must leave room in a build's 256 KiB (SPEC 3). */
function environmentSizeProblems(entries: StoredEntry[]): EditProblem[] {
  const environments: EnvironmentName[] = ["production", "preview"];
  return environments.flatMap((environment) => {
    const effective = new Map<string, StoredEntry>();
    for (const scope of ["all", environment] as const) {
      for (const e of entries) if (e.scope === scope) effective.set(e.name, e);
    }
    const bytes = [...effective.values()].reduce(
      (sum, e) => sum + Buffer.byteLength(e.name, "utf8") + (e.isSecret ? e.valueBytes : Buffer.byteLength(e.value, "utf8")),
      0,
    );
    return bytes > MAX_ENVIRONMENT_BYTES
      ? [
          {
            path: [],
            message: `the ${environment} builds' stored variables would take ${bytes} bytes; a build's variables may take at most ${MAX_ENVIRONMENT_BYTES} bytes (256 KiB) together`,
          },
        ]
      : [];
  });
}
