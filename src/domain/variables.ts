import type { EnvironmentName } from "./environment.js";

/** Where a stored value applies: every environment, or one of them. */
export type VariableScope = "all" | EnvironmentName;

export const VARIABLE_SCOPES: readonly VariableScope[] = ["all", "production", "preview"];

/** The layers of SPEC 3's precedence, lowest first. */
export type VariableSource = "default" | "file" | "file-environment" | "stored" | "stored-environment" | "secret" | "secret-environment" | "identity";

/** A plain value stored for a repository (DynamoDB). */
export interface StoredVariable {
  name: string;
  value: string;
  scope: VariableScope;
}

/** A secret stored for a repository: only its Secrets Manager name or ARN, never its value. */
export interface StoredSecret {
  name: string;
  secretId: string;
  scope: VariableScope;
}

/** One variable of a build, as sent to CodeBuild's environmentVariablesOverride. */
export interface BuildVariable {
  name: string;
  /** The plain value, or for SECRETS_MANAGER the secret's name or ARN. */
  value: string;
  type: "PLAINTEXT" | "SECRETS_MANAGER";
  source: VariableSource;
}
