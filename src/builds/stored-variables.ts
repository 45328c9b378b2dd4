import type { EnvironmentName } from "../config/schema.js";
import { SECRET_TAGS, type SecretStore, type VariableStore } from "../variables/store.js";
import type { StoredSecret, StoredVariable } from "../variables/types.js";

export interface StoredForBuild {
  stored: StoredVariable[];
  secrets: StoredSecret[];
}

/** A repository's stored plain variables and secret references for one environment's build. */
export async function storedForBuild(variables: VariableStore, repositoryId: number, environment: EnvironmentName): Promise<StoredForBuild> {
  const entries = await variables.list(repositoryId, ["all", environment]);
  return {
    stored: entries.flatMap((e) => (e.isSecret ? [] : [{ name: e.name, value: e.value, scope: e.scope }])),
    secrets: entries.flatMap((e) => (e.isSecret ? [{ name: e.name, secretId: e.secretId, scope: e.scope }] : [])),
  };
}

/**
 * Keeps each secret tagged with the CodeBuild project that builds its repository: the project's
 * role may read only secrets tagged for it (SPEC 3). Remembers what it tagged, so a secret is
 * tagged once per project change rather than on every build.
 */
export class SecretProjectTags {
  private readonly tagged = new Map<string, string>();

  constructor(private readonly secrets: SecretStore) {}

  async ensure(secretIds: string[], project: string): Promise<void> {
    for (const id of secretIds) {
      if (this.tagged.get(id) === project) continue;
      await this.secrets.tag(id, { [SECRET_TAGS.project]: project });
      this.tagged.set(id, project);
    }
  }
}
