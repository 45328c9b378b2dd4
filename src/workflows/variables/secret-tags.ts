import { SECRET_TAGS, type SecretStore, type StoredEntry } from "../../ports/variable-store.js";
import type { VariableScope } from "../../domain/variables.js";

/** A stored secret of a repository, as its tags need it. */
export interface ScopedSecret {
  secretId: string;
  scope: VariableScope;
}

/** Every secret among a repository's stored entries. */
export function storedSecrets(entries: readonly StoredEntry[]): ScopedSecret[] {
  return entries.flatMap((e) => (e.isSecret ? [{ secretId: e.secretId, scope: e.scope }] : []));
}

/**
 * The tags of a repository's secret (SPEC 3): its repository, its environment, and the project whose
 * roles may read it — the first project of the repository's rule (none without one).
 */
export function secretTags(repositoryId: number, scope: VariableScope, domain: string | undefined): Record<string, string> {
  return {
    [SECRET_TAGS.repositoryId]: String(repositoryId),
    [SECRET_TAGS.environment]: scope,
    ...(domain !== undefined && { [SECRET_TAGS.project]: domain }),
  };
}

/**
 * Keeps a repository's secrets tagged for the trust domain the operator's map puts it in: the
 * project's roles read only secrets tagged for them (deploy/ scopes them so). Run at every build and
 * every change of stored variables, so a changed map re-tags a repository's secrets at its next one.
 * Remembers what it tagged, so a secret is tagged once per change rather than every time.
 */
export class SecretTags {
  private readonly tagged = new Map<string, string>();

  constructor(private readonly secrets: Pick<SecretStore, "tag">) {}

  async ensure(repositoryId: number, secrets: readonly ScopedSecret[], domain: string | undefined): Promise<void> {
    for (const { secretId, scope } of secrets) {
      const tags = secretTags(repositoryId, scope, domain);
      if (this.tagged.get(secretId) === JSON.stringify(tags)) continue;
      await this.secrets.tag(secretId, tags);
      this.written(secretId, tags);
    }
  }

  /** A secret just written with these tags, which need not be written again. */
  written(secretId: string, tags: Record<string, string>): void {
    this.tagged.set(secretId, JSON.stringify(tags));
  }
}
