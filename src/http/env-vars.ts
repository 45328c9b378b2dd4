import { z } from "zod";
import { MASKED_VALUE, type EditProblem, type VariableChange } from "../workflows/variables/editor.js";
import { type StoredEntry } from "../ports/variable-store.js";
import type { ApiIssue } from "./errors.js";
import { ENVIRONMENT_NAMES } from "../domain/environment.js";
import { VARIABLE_SCOPES } from "../domain/variables.js";

/** One variable as the API shows it (SPEC 7). */
export interface EnvVarView {
  key: string;
  /** The plain value for users with write, `***` for a secret; null for users who can only read. */
  value: string | null;
  isSecret: boolean;
  environment: StoredEntry["scope"];
  updatedAt: string;
  updatedBy: string;
}

const environment = z.enum(["all", ...ENVIRONMENT_NAMES], { error: `expected one of ${VARIABLE_SCOPES.join(", ")}` });

/** `GET …/env?environment=E`: without `environment`, every scope's. */
export const envQuerySchema = z.strictObject({ environment: environment.optional() });

/** `PUT …/env`: replaces one scope's set; a secret without `value`, or with `***`, keeps its stored value. */
export const envPutSchema = z.strictObject({
  environment,
  envVars: z.array(
    z.strictObject({
      key: z.string({ error: "expected the variable's name as a string" }),
      value: z.string({ error: "expected a string" }).optional(),
      isSecret: z.boolean({ error: "expected true or false" }),
    }),
  ),
});

export type EnvPut = z.output<typeof envPutSchema>;

export function variableChanges(body: EnvPut): VariableChange[] {
  return body.envVars.map((v) => ({ name: v.key, isSecret: v.isSecret, ...(v.value !== undefined && { value: v.value }) }));
}

/** Stored entries as the API shows them, in scope order (all, production, preview), then by name. */
export function envVarViews(entries: readonly StoredEntry[], canWrite: boolean): EnvVarView[] {
  return [...entries]
    .sort((a, b) => VARIABLE_SCOPES.indexOf(a.scope) - VARIABLE_SCOPES.indexOf(b.scope) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((e) => ({
      key: e.name,
      value: !canWrite ? null : e.isSecret ? MASKED_VALUE : e.value,
      isSecret: e.isSecret,
      environment: e.scope,
      updatedAt: e.updatedAt,
      updatedBy: e.updatedBy,
    }));
}

/** The editor's problems as zod-style issues on the PUT body: `[2, "key"]` → `["envVars", 2, "key"]`. */
export function editorIssues(problems: readonly EditProblem[]): ApiIssue[] {
  return problems.map((p) => ({ code: "custom", path: ["envVars", ...p.path], message: p.message }));
}
