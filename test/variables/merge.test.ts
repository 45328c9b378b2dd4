import { repoConfigSchema } from "../../src/config/schema.js";
import { MAX_ENVIRONMENT_BYTES, MAX_VALUE_BYTES } from "../../src/domain/variable-names.js";
import { mergeVariables } from "../../src/variables/merge.js";
import type { MergeInput, MergeResult } from "../../src/variables/merge.js";
import type { BuildVariable, StoredEntry, VariableScope } from "../../src/domain/variables.js";
import type { EnvironmentName } from "../../src/domain/environment.js";

type Overrides = Partial<MergeInput> & { file?: unknown; secrets?: StoredEntry[] };

/** The stored entries are `stored` and `secrets` together, as the store reads them back. */
function input(overrides: Overrides = {}): MergeInput {
  const { file, stored = [], secrets = [], ...rest } = overrides;
  return {
    config: repoConfigSchema.parse(file ?? {}),
    environment: "preview",
    stored: [...stored, ...secrets],
    identity: {},
    trusted: true,
    ...rest,
  };
}

function variables(result: MergeResult): BuildVariable[] {
  if (!result.ok) throw new Error(`expected variables, got problems: ${result.problems.join("; ")}`);
  return result.variables;
}

function problems(result: MergeResult): string[] {
  if (result.ok) throw new Error("expected problems, got variables");
  return result.problems;
}

function find(result: MergeResult, name: string): BuildVariable | undefined {
  return variables(result).find((v) => v.name === name);
}

const stamp = { updatedAt: "2026-01-01T00:00:00.000Z", updatedBy: "octocat" };
const plain = (name: string, value: string, scope: VariableScope = "all"): StoredEntry => ({ name, value, scope, isSecret: false, ...stamp });
const secret = (name: string, scope: VariableScope = "all", secretId = `codebuild-checks/42/${scope}/${name}`): StoredEntry => ({
  name,
  scope,
  isSecret: true,
  secretId,
  valueBytes: 8,
  ...stamp,
});

describe("precedence, lowest first (SPEC 3)", () => {
  type Layer = "file" | "file-environment" | "stored" | "stored-environment" | "secret" | "secret-environment" | "identity";

  /** Every listed layer sets NODE_ENV to its own name; the default layer always sets it to production. */
  function withLayers(layers: Layer[]): MergeInput {
    const has = (l: Layer) => layers.includes(l);
    return input({
      file: {
        ...(has("file") ? { env: { NODE_ENV: "file" } } : {}),
        ...(has("file-environment") ? { environments: { preview: { env: { NODE_ENV: "file-environment" } } } } : {}),
      },
      stored: [
        ...(has("stored") ? [plain("NODE_ENV", "stored", "all")] : []),
        ...(has("stored-environment") ? [plain("NODE_ENV", "stored-environment", "preview")] : []),
      ],
      secrets: [...(has("secret") ? [secret("NODE_ENV", "all")] : []), ...(has("secret-environment") ? [secret("NODE_ENV", "preview")] : [])],
      identity: has("identity") ? { NODE_ENV: "identity" } : {},
    });
  }

  test.each<[Layer[], Omit<BuildVariable, "name">]>([
    [[], { value: "production", type: "PLAINTEXT", source: "default" }],
    [["file"], { value: "file", type: "PLAINTEXT", source: "file" }],
    [["file", "file-environment"], { value: "file-environment", type: "PLAINTEXT", source: "file-environment" }],
    [["file-environment", "stored"], { value: "stored", type: "PLAINTEXT", source: "stored" }],
    [["stored", "stored-environment"], { value: "stored-environment", type: "PLAINTEXT", source: "stored-environment" }],
    [["file", "stored-environment"], { value: "stored-environment", type: "PLAINTEXT", source: "stored-environment" }],
    [["stored-environment", "secret"], { value: "codebuild-checks/42/all/NODE_ENV", type: "SECRETS_MANAGER", source: "secret" }],
    [["secret", "secret-environment"], { value: "codebuild-checks/42/preview/NODE_ENV", type: "SECRETS_MANAGER", source: "secret-environment" }],
    [
      ["file", "file-environment", "stored", "stored-environment", "secret", "secret-environment"],
      { value: "codebuild-checks/42/preview/NODE_ENV", type: "SECRETS_MANAGER", source: "secret-environment" },
    ],
    [
      ["file", "file-environment", "stored", "stored-environment", "secret", "secret-environment", "identity"],
      { value: "identity", type: "PLAINTEXT", source: "identity" },
    ],
  ])("NODE_ENV set by %j", (layers, expected) => {
    expect(find(mergeVariables(withLayers(layers)), "NODE_ENV")).toEqual({ name: "NODE_ENV", ...expected });
  });

  test("every source contributes its own names, sorted by name", () => {
    const result = mergeVariables(
      input({
        file: { env: { ZED: "1" }, environments: { preview: { env: { MID: "2" } } } },
        stored: [plain("ALPHA", "3"), plain("BETA", "4", "preview")],
        secrets: [secret("TOKEN"), secret("DB_PASSWORD", "preview")],
        identity: { PROJECT_ID: "octo/app", COMMIT_SHA: "abc" },
      }),
    );
    expect(variables(result).map((v) => [v.name, v.source])).toEqual([
      ["ALPHA", "stored"],
      ["BETA", "stored-environment"],
      ["COMMIT_SHA", "identity"],
      ["DB_PASSWORD", "secret-environment"],
      ["MID", "file-environment"],
      ["NODE_ENV", "default"],
      ["PROJECT_ID", "identity"],
      ["TOKEN", "secret"],
      ["ZED", "file"],
    ]);
  });
});

describe("environment-specific values", () => {
  const everything = {
    file: {
      env: { API_URL: "file" },
      environments: { production: { env: { API_URL: "https://api" } }, preview: { env: { API_URL: "https://staging" } } },
    },
    stored: [plain("FLAG", "all"), plain("FLAG", "prod", "production"), plain("ONLY_PREVIEW", "yes", "preview")],
    secrets: [secret("KEY", "production")],
  };

  test.each<[EnvironmentName, Record<string, [string, string] | undefined>]>([
    [
      "production",
      {
        API_URL: ["https://api", "file-environment"],
        FLAG: ["prod", "stored-environment"],
        ONLY_PREVIEW: undefined,
        KEY: ["codebuild-checks/42/production/KEY", "secret-environment"],
      },
    ],
    [
      "preview",
      {
        API_URL: ["https://staging", "file-environment"],
        FLAG: ["all", "stored"],
        ONLY_PREVIEW: ["yes", "stored-environment"],
        KEY: undefined,
      },
    ],
  ])("a %s build uses its own environment's values and no other's", (environment, expected) => {
    const result = mergeVariables(input({ ...everything, environment }));
    for (const [name, want] of Object.entries(expected)) {
      const got = find(result, name);
      expect(got && [got.value, got.source]).toEqual(want);
    }
  });
});

describe("trust", () => {
  test.each<[string, Overrides, string, Omit<BuildVariable, "name"> | undefined]>([
    ["a secret is simply absent", { secrets: [secret("TOKEN")] }, "TOKEN", undefined],
    [
      "a secret over a file value leaves the file value",
      { file: { env: { TOKEN: "public-placeholder" } }, secrets: [secret("TOKEN")] },
      "TOKEN",
      { value: "public-placeholder", type: "PLAINTEXT", source: "file" },
    ],
    [
      "an environment secret over a plain value for all environments leaves the plain value",
      { stored: [plain("TOKEN", "shared")], secrets: [secret("TOKEN", "preview")] },
      "TOKEN",
      { value: "shared", type: "PLAINTEXT", source: "stored" },
    ],
    [
      "a plain value that a secret of the same scope replaced is not used instead of the secret",
      { stored: [plain("TOKEN", "stale")], secrets: [secret("TOKEN")] },
      "TOKEN",
      undefined,
    ],
  ])("untrusted: %s", (_, overrides, name, expected) => {
    const result = mergeVariables(input({ ...overrides, trusted: false }));
    const got = find(result, name);
    expect(got && { value: got.value, type: got.type, source: got.source }).toEqual(expected);
    expect(variables(result).some((v) => v.type === "SECRETS_MANAGER")).toBe(false);
  });

  test.each<[VariableScope, string]>([
    ["all", "codebuild-checks/42/all/TOKEN"],
    ["preview", "codebuild-checks/42/preview/TOKEN"],
  ])("trusted: a plain and a secret of the same name in scope %s gives the secret", (scope, secretId) => {
    const result = mergeVariables(input({ stored: [plain("TOKEN", "stale", scope)], secrets: [secret("TOKEN", scope)] }));
    expect(find(result, "TOKEN")).toMatchObject({ value: secretId, type: "SECRETS_MANAGER" });
  });
});

describe("what the merge refuses", () => {
  // Names and values were checked where they entered: the config by its parser, stored ones by the
  // editor and again as the store reads them back. Only their size together is left to the merge.
  test("identity values are never refused, however long", () => {
    const result = mergeVariables(input({ identity: { BRANCH: "b".repeat(MAX_VALUE_BYTES + 1), PROJECT_ID: "octo/app" } }));
    expect(find(result, "BRANCH")?.value).toHaveLength(MAX_VALUE_BYTES + 1);
  });

  test("an identity variable overrides a stored variable of its name", () => {
    expect(find(mergeVariables(input({ stored: [plain("BRANCH", "x")], identity: { BRANCH: "main" } })), "BRANCH")).toMatchObject({
      value: "main",
      source: "identity",
    });
  });
});

describe("total size: 256 KiB of names and values", () => {
  // NODE_ENV=production counts too: 8 + 10 bytes.
  const defaults = 18;
  const full = Array.from({ length: 15 }, (_, i) => plain(`V${String(i).padStart(2, "0")}`, "x".repeat(MAX_VALUE_BYTES)));
  const used = defaults + full.length * (3 + MAX_VALUE_BYTES);
  const room = MAX_ENVIRONMENT_BYTES - used - "LAST".length;

  test.each<[string, Overrides, number | null]>([
    ["exactly at the limit", { stored: [...full, plain("LAST", "y".repeat(room))] }, null],
    ["one byte over", { stored: [...full, plain("LAST", "y".repeat(room + 1))] }, MAX_ENVIRONMENT_BYTES + 1],
    ["one byte over through a multibyte character", { stored: [...full, plain("LAST", "y".repeat(room - 1) + "é")] }, MAX_ENVIRONMENT_BYTES + 1],
    ["over through a secret's reference", { stored: full, secrets: [secret("LAST", "all", "s".repeat(room + 10))] }, MAX_ENVIRONMENT_BYTES + 10],
    ["overridden values count once", { stored: [...full, plain("LAST", "y".repeat(room)), plain("LAST", "z".repeat(room), "preview")] }, null],
  ])("%s", (_, overrides, total) => {
    const result = mergeVariables(input(overrides));
    if (total === null) {
      expect(result.ok).toBe(true);
    } else {
      const found = problems(result);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(`${total} bytes`);
      expect(found[0]).toContain(`${MAX_ENVIRONMENT_BYTES} bytes`);
    }
  });
});
