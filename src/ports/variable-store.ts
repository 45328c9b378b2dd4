import type { StoredEntry, VariableScope } from "../domain/variables.js";

export type { StoredEntry };

/** What a writer sends for one name. */
export type EntryInput = { name: string; isSecret: false; value: string } | { name: string; isSecret: true; secretId: string; valueBytes: number };

export type AuditAction = "set" | "unset" | "replace";

/** One change, as the audit trail keeps it: who, when, which name and environment — never a value. */
export interface AuditEntry {
  at: string;
  actor: string;
  action: AuditAction;
  repositoryId: number;
  scope: VariableScope;
  name: string;
  isSecret: boolean;
  /** Where the change came from. */
  via: "api" | "comment";
}

export interface ChangeContext {
  actor: string;
  via: AuditEntry["via"];
}

/**
 * Stored variables of repositories, keyed by the repository's numeric id so that a
 * rename or transfer changes nothing. Every change is written to the audit trail.
 */
export interface VariableStore {
  /** The current entries of a repository for the given scopes (all three by default). */
  list(repositoryId: number, scopes?: readonly VariableScope[]): Promise<StoredEntry[]>;
  /** Sets names in one scope, keeping the others; a name set as plain replaces a secret and vice versa. */
  set(repositoryId: number, scope: VariableScope, entries: EntryInput[], change: ChangeContext): Promise<void>;
  /** Removes names from one scope; returns what was removed (secrets to delete). */
  unset(repositoryId: number, scope: VariableScope, names: string[], change: ChangeContext): Promise<StoredEntry[]>;
  /** Replaces one scope's whole set, all or nothing; returns the previous set. */
  replace(repositoryId: number, scope: VariableScope, entries: EntryInput[], change: ChangeContext): Promise<StoredEntry[]>;
  /** The audit trail of a repository, newest first. */
  audit(repositoryId: number, limit?: number): Promise<AuditEntry[]>;
  /** Throws when the store cannot be reached (health check). */
  ping(): Promise<void>;
}

/** Secret values (AWS Secrets Manager, or an encrypted file in embedded mode). */
export interface SecretStore {
  /**
   * Creates the secret or stores a new value (restoring it first when it is scheduled for
   * deletion), tagged as given; returns its ARN.
   */
  put(name: string, value: string, tags: Record<string, string>): Promise<{ arn: string }>;
  /**
   * Creates the secret only if no secret of that name exists (atomically, as CreateSecret does);
   * false when one exists, which is then left as it is.
   */
  createIfAbsent(name: string, value: string, tags: Record<string, string>): Promise<boolean>;
  /** Schedules the secret for deletion with a recovery window; a missing secret is fine. */
  delete(name: string): Promise<void>;
  /** The current value, or undefined when there is none; only for masking and the app's own key. */
  getValue(name: string): Promise<string | undefined>;
  /** Adds or changes tags of an existing secret (the project tag follows the repository's project). */
  tag(name: string, tags: Record<string, string>): Promise<void>;
}

/**
 * Tags on every secret: a CodeBuild project's role may read only the secrets tagged with
 * that project (deploy/ scopes it so), so one project is one trust domain (SPEC 3).
 */
export const SECRET_TAGS = {
  repositoryId: "codebuild-checks:repository-id",
  environment: "codebuild-checks:environment",
  project: "codebuild-checks:project",
} as const;

/** SPEC 3: `${SECRETS_PREFIX}${repositoryId}/${environment}/${KEY}`. */
export function secretName(prefix: string, repositoryId: number, scope: VariableScope, key: string): string {
  return `${prefix}${repositoryId}/${scope}/${key}`;
}
