import type { StoredEntry } from "../../ports/variable-store.js";
import type { StoredSecret, StoredVariable } from "../../domain/variables.js";
import type { EnvironmentName } from "../../domain/environment.js";

export interface StoredForBuild {
  stored: StoredVariable[];
  secrets: StoredSecret[];
}

/** Of a repository's stored entries, the plain variables and secret references of one environment's build. */
export function storedForBuild(entries: readonly StoredEntry[], environment: EnvironmentName): StoredForBuild {
  const used = entries.filter((e) => e.scope === "all" || e.scope === environment);
  return {
    stored: used.flatMap((e) => (e.isSecret ? [] : [{ name: e.name, value: e.value, scope: e.scope }])),
    secrets: used.flatMap((e) => (e.isSecret ? [{ name: e.name, secretId: e.secretId, scope: e.scope }] : [])),
  };
}
