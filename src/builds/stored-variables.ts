import type { EnvironmentName } from "../config/schema.js";
import type { StoredEntry } from "../variables/store.js";
import type { StoredSecret, StoredVariable } from "../variables/types.js";

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
