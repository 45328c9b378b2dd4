import type { RepoConfig } from "../config/schema.js";
import { CONFIG_PATH } from "../config/schema.js";
import { MAX_ENVIRONMENT_BYTES, variableNameProblem, variableValueProblem } from "../domain/variable-names.js";
import type { BuildVariable, StoredSecret, StoredVariable, VariableScope, VariableSource } from "../domain/variables.js";
import type { EnvironmentName } from "../domain/environment.js";

export interface MergeInput {
  config: RepoConfig;
  environment: EnvironmentName;
  stored: StoredVariable[];
  secrets: StoredSecret[];
  identity: Record<string, string>;
  /** False for forks and bots: no secrets at all. */
  trusted: boolean;
}

export type MergeResult = { ok: true; variables: BuildVariable[] } | { ok: false; problems: string[] };

const DEFAULTS: Record<string, string> = { NODE_ENV: "production" };

type LayerVariable = Omit<BuildVariable, "source">;

/** One source of SPEC 3's precedence. */
interface Layer {
  source: VariableSource;
  /** Names the source in problems; null for the app's own layers, which are never refused. */
  where: string | null;
  variables: LayerVariable[];
}

/** A build's variables from every source, later sources overriding earlier ones by name (SPEC 3). */
export function mergeVariables(input: MergeInput): MergeResult {
  const merged = new Map<string, BuildVariable>();
  const problems: string[] = [];
  for (const layer of layersOf(input)) {
    for (const variable of layer.variables) {
      if (layer.where !== null) problems.push(...layerProblems(layer.where, variable));
      merged.set(variable.name, { ...variable, source: layer.source });
    }
  }
  const variables = [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const total = variables.reduce((sum, v) => sum + Buffer.byteLength(v.name) + Buffer.byteLength(v.value), 0);
  if (total > MAX_ENVIRONMENT_BYTES) {
    problems.push(
      `The build's variables come to ${total} bytes (names and values, secrets counted by their name); ` +
        `at most ${MAX_ENVIRONMENT_BYTES} bytes (256 KiB) are allowed, since larger environments make every ` +
        `command of the build fail. Remove variables or shorten their values.`,
    );
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, variables };
}

function layersOf(input: MergeInput): Layer[] {
  const { config, environment, stored, secrets, identity, trusted } = input;
  // Within one scope a name is plain or secret; should the store hold both, the secret wins.
  const secretNames = new Set(secrets.map((s) => scopedName(s.scope, s.name)));
  const plainIn = (scope: VariableScope) =>
    stored
      .filter((v) => v.scope === scope && !secretNames.has(scopedName(scope, v.name)))
      .map((v) => plaintext(v.name, v.value));
  const secretsIn = (scope: VariableScope) =>
    trusted
      ? secrets
          .filter((s) => s.scope === scope)
          .map((s) => ({ name: s.name, value: s.secretId, type: "SECRETS_MANAGER" as const }))
      : [];

  return [
    { source: "default", where: null, variables: plaintextOf(DEFAULTS) },
    { source: "file", where: `${CONFIG_PATH} env`, variables: plaintextOf(config.env) },
    {
      source: "file-environment",
      where: `${CONFIG_PATH} environments.${environment}.env`,
      variables: plaintextOf(config.environments[environment]?.env ?? {}),
    },
    { source: "stored", where: "stored variable (all environments)", variables: plainIn("all") },
    {
      source: "stored-environment",
      where: `stored variable (${environment})`,
      variables: plainIn(environment),
    },
    { source: "secret", where: "stored secret (all environments)", variables: secretsIn("all") },
    {
      source: "secret-environment",
      where: `stored secret (${environment})`,
      variables: secretsIn(environment),
    },
    { source: "identity", where: null, variables: plaintextOf(identity) },
  ];
}

/** A secret's value is checked when it is stored; here its reference stands in for it. */
function layerProblems(where: string, variable: LayerVariable): string[] {
  const problems = [variableNameProblem(variable.name)];
  if (variable.type === "PLAINTEXT") problems.push(variableValueProblem(variable.name, variable.value));
  return problems.filter((p) => p !== null).map((p) => `${where}: ${p}`);
}

function plaintextOf(values: Record<string, string>): LayerVariable[] {
  return Object.entries(values).map(([name, value]) => plaintext(name, value));
}

function plaintext(name: string, value: string): LayerVariable {
  return { name, value, type: "PLAINTEXT" };
}

function scopedName(scope: VariableScope, name: string): string {
  return `${scope}/${name}`;
}
