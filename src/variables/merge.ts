import type { RepoConfig } from "../config/schema.js";
import { MAX_ENVIRONMENT_BYTES } from "../domain/variable-names.js";
import type { BuildVariable, StoredEntry, VariableScope, VariableSource } from "../domain/variables.js";
import type { EnvironmentName } from "../domain/environment.js";

export interface MergeInput {
  config: RepoConfig;
  environment: EnvironmentName;
  /** The repository's stored entries, as the store read them back (names checked there). */
  stored: readonly StoredEntry[];
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
  variables: LayerVariable[];
}

/**
 * A build's variables from every source, later sources overriding earlier ones by name (SPEC 3).
 * Each name and value was checked where it entered (the config's parser, the editor, the store's
 * reading of its items); what is left to check is their size together.
 */
export function mergeVariables(input: MergeInput): MergeResult {
  const merged = new Map<string, BuildVariable>();
  for (const layer of layersOf(input)) {
    for (const variable of layer.variables) merged.set(variable.name, { ...variable, source: layer.source });
  }
  const variables = [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const total = variables.reduce((sum, v) => sum + Buffer.byteLength(v.name) + Buffer.byteLength(v.value), 0);
  if (total > MAX_ENVIRONMENT_BYTES) {
    return {
      ok: false,
      problems: [
        `The build's variables come to ${total} bytes (names and values, secrets counted by their name); ` +
          `at most ${MAX_ENVIRONMENT_BYTES} bytes (256 KiB) are allowed, since larger environments make every ` +
          `command of the build fail. Remove variables or shorten their values.`,
      ],
    };
  }
  return { ok: true, variables };
}

function layersOf({ config, environment, stored, identity, trusted }: MergeInput): Layer[] {
  // Within one scope a name is plain or secret; should the store hold both, the secret wins.
  const secretNames = new Set(stored.flatMap((e) => (e.isSecret ? [scopedName(e.scope, e.name)] : [])));
  const storedIn = (scope: VariableScope, secret: boolean): LayerVariable[] =>
    stored.flatMap((e): LayerVariable[] => {
      if (e.scope !== scope || e.isSecret !== secret) return [];
      if (!e.isSecret) return secretNames.has(scopedName(scope, e.name)) ? [] : [plaintext(e.name, e.value)];
      return trusted ? [{ name: e.name, value: e.secretId, type: "SECRETS_MANAGER" }] : [];
    });

  return [
    { source: "default", variables: plaintextOf(DEFAULTS) },
    { source: "file", variables: plaintextOf(config.env) },
    { source: "file-environment", variables: plaintextOf(config.environments[environment]?.env ?? {}) },
    { source: "stored", variables: storedIn("all", false) },
    { source: "stored-environment", variables: storedIn(environment, false) },
    { source: "secret", variables: storedIn("all", true) },
    { source: "secret-environment", variables: storedIn(environment, true) },
    { source: "identity", variables: plaintextOf(identity) },
  ];
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
