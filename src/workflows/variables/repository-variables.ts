import type { VariableScope } from "../../domain/variables.js";
import type { ChangeContext, StoredEntry, VariableStore } from "../../ports/variable-store.js";
import type { EditResult, RepositoryTarget, VariableChange, VariableEditor } from "./editor.js";

/**
 * A repository's stored variables as one comment sees them: read from the store once, when first
 * needed, and kept current with the changes made through it, so the commands of a comment, and the
 * masking of its reply, share one read.
 */
export class RepositoryVariables {
  private current: Promise<StoredEntry[]> | undefined;

  constructor(
    private readonly store: Pick<VariableStore, "list">,
    private readonly editor: Pick<VariableEditor, "set" | "unset">,
    private readonly repository: RepositoryTarget,
  ) {}

  entries(): Promise<readonly StoredEntry[]> {
    this.current ??= this.store.list(this.repository.id);
    return this.current;
  }

  async set(scope: VariableScope, changes: VariableChange[], change: ChangeContext): Promise<EditResult> {
    return this.kept(await this.editor.set(this.repository, scope, changes, change, await this.entries()));
  }

  async unset(scope: VariableScope, names: string[], change: ChangeContext): Promise<EditResult> {
    return this.kept(await this.editor.unset(this.repository, scope, names, change, await this.entries()));
  }

  private kept(result: EditResult): EditResult {
    if (result.ok) this.current = Promise.resolve(result.entries);
    return result;
  }
}
