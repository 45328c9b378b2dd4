import type { EnvironmentName } from "./environment.js";

/** Where a stored value applies: every environment, or one of them. */
export type VariableScope = "all" | EnvironmentName;

export const VARIABLE_SCOPES: readonly VariableScope[] = ["all", "production", "preview"];

/** The layers of SPEC 3's precedence, lowest first. */
export type VariableSource = "default" | "file" | "file-environment" | "stored" | "stored-environment" | "secret" | "secret-environment" | "identity";

/**
 * A variable as stored for a repository and scope: a plain value, or a reference to a secret. Read
 * back from the store, its name has been checked (adapters read stored items like any input), so
 * the build's variables are merged from it as it is.
 */
export type StoredEntry = {
  name: string;
  scope: VariableScope;
  updatedAt: string;
  /** GitHub login of who set it. */
  updatedBy: string;
} & (
  | { isSecret: false; value: string }
  | {
      isSecret: true;
      /** The secret's name or ARN in the SecretStore; never its value. */
      secretId: string;
      /** Size of the secret's value in UTF-8 bytes, for the 256 KiB limit of a build's variables. */
      valueBytes: number;
    }
);

/** One variable of a build, as sent to CodeBuild's environmentVariablesOverride. */
export interface BuildVariable {
  name: string;
  /** The plain value, or for SECRETS_MANAGER the secret's name or ARN. */
  value: string;
  type: "PLAINTEXT" | "SECRETS_MANAGER";
  source: VariableSource;
}
