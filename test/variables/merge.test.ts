import { repoConfigSchema } from "../../src/config/schema.js";
import { MAX_ENVIRONMENT_BYTES, MAX_VALUE_BYTES } from "../../src/domain/variable-names.js";
import { mergeVariables } from "../../src/variables/merge.js";
import type { MergeInput, MergeResult } from "../../src/variables/merge.js";
import type { BuildVariable, StoredSecret, StoredVariable, VariableScope } from "../../src/domain/variables.js";
import type { EnvironmentName } from "../../src/domain/environment.js";

function input(overrides: Partial<MergeInput> & { file?: unknown } = {}): MergeInput {
  const { file, ...rest } = overrides;
  return {
    config: repoConfigSchema.parse(file ?? {}),
    environment: "preview",
    stored: [],
    secrets: [],
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

const plain = (name: string, value: string, scope: VariableScope = "all"): StoredVariable => ({ name, value, scope });
const secret = (name: string, scope: VariableScope = "all"): StoredSecret => ({
  name,
  scope,
  secretId: `codebuild-checks/42/${scope}/${name}`,
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
      secrets: [
        ...(has("secret") ? [secret("NODE_ENV", "all")] : []),
        ...(has("secret-environment") ? [secret("NODE_ENV", "preview")] : []),
      ],
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
    [
      ["secret", "secret-environment"],
      { value: "codebuild-checks/42/preview/NODE_ENV", type: "SECRETS_MANAGER", source: "secret-environment" },
    ],
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
  test.each<[string, Partial<MergeInput> & { file?: unknown }, string, Omit<BuildVariable, "name"> | undefined]>([
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

describe("problems", () => {
  test.each<[string, Partial<MergeInput> & { file?: unknown }, string]>([
    ["CODEBUILD_ prefix in the file", { file: { env: { CODEBUILD_BUILD_ID: "x" } } }, ".github/codebuild.yml env: CODEBUILD_BUILD_ID is reserved"],
    ["identity name in the file", { file: { env: { PROJECT_ID: "x" } } }, ".github/codebuild.yml env: PROJECT_ID is reserved"],
    [
      "identity name in the file's environment",
      { file: { environments: { preview: { env: { ENVIRONMENT: "x" } } } } },
      ".github/codebuild.yml environments.preview.env: ENVIRONMENT is reserved",
    ],
    ["identity name stored", { stored: [plain("BRANCH", "x")] }, "stored variable (all environments): BRANCH is reserved"],
    ["bad name stored", { stored: [plain("lower", "x", "preview")] }, 'stored variable (preview): "lower" is not a valid variable name'],
    ["identity name as a secret", { secrets: [secret("DEPLOYMENT_ID")] }, "stored secret (all environments): DEPLOYMENT_ID is reserved"],
    ["CODEBUILD_ prefix as a secret", { secrets: [secret("CODEBUILD_X", "preview")] }, "stored secret (preview): CODEBUILD_X is reserved"],
  ])("%s", (_, overrides, problem) => {
    const found = problems(mergeVariables(input(overrides)));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(problem);
  });

  test("every problem is reported, not only the first", () => {
    const result = mergeVariables(
      input({ file: { env: { PR_NUMBER: "1" } }, stored: [plain("COMMIT_SHA", "x"), plain("BIG", "x".repeat(MAX_VALUE_BYTES + 1))] }),
    );
    expect(problems(result)).toHaveLength(3);
  });

  test("identity values are never refused, however long", () => {
    const result = mergeVariables(input({ identity: { BRANCH: "b".repeat(MAX_VALUE_BYTES + 1), PROJECT_ID: "octo/app" } }));
    expect(find(result, "BRANCH")?.value).toHaveLength(MAX_VALUE_BYTES + 1);
  });

  test("untrusted builds are not refused for secrets they do not get", () => {
    expect(mergeVariables(input({ secrets: [secret("CODEBUILD_X")], trusted: false })).ok).toBe(true);
  });
});

describe("value size: 16 KiB of UTF-8", () => {
  test.each<[string, string, boolean]>([
    ["16384 ASCII bytes", "a".repeat(16384), true],
    ["16385 ASCII bytes", "a".repeat(16385), false],
    ["8192 two-byte characters (16384 bytes)", "é".repeat(8192), true],
    ["8192 two-byte characters and one ASCII (16385 bytes)", "é".repeat(8192) + "a", false],
    ["5461 three-byte characters and one ASCII (16384 bytes)", "€".repeat(5461) + "a", true],
    ["4096 four-byte characters (16384 bytes)", "😀".repeat(4096), true],
    ["4097 four-byte characters (16388 bytes)", "😀".repeat(4097), false],
    ["8193 two-byte characters: under 16384 characters but over in bytes", "é".repeat(8193), false],
  ])("%s", (_, value, ok) => {
    for (const overrides of [{ file: { env: { BIG: value } } }, { stored: [plain("BIG", value, "preview")] }]) {
      const result = mergeVariables(input(overrides));
      expect(result.ok).toBe(ok);
      if (!result.ok) expect(result.problems[0]).toContain(`BIG is ${Buffer.byteLength(value)} bytes long`);
    }
  });
});

describe("total size: 256 KiB of names and values", () => {
  // NODE_ENV=production counts too: 8 + 10 bytes.
  const defaults = 18;
  const full = Array.from({ length: 15 }, (_, i) => plain(`V${String(i).padStart(2, "0")}`, "x".repeat(MAX_VALUE_BYTES)));
  const used = defaults + full.reduce((sum, v) => sum + v.name.length + v.value.length, 0);
  const room = MAX_ENVIRONMENT_BYTES - used - "LAST".length;

  test.each<[string, Partial<MergeInput>, number | null]>([
    ["exactly at the limit", { stored: [...full, plain("LAST", "y".repeat(room))] }, null],
    ["one byte over", { stored: [...full, plain("LAST", "y".repeat(room + 1))] }, MAX_ENVIRONMENT_BYTES + 1],
    ["one byte over through a multibyte character", { stored: [...full, plain("LAST", "y".repeat(room - 1) + "é")] }, MAX_ENVIRONMENT_BYTES + 1],
    [
      "over through a secret's reference",
      { stored: full, secrets: [{ name: "LAST", scope: "all", secretId: "s".repeat(room + 10) }] },
      MAX_ENVIRONMENT_BYTES + 10,
    ],
    [
      "overridden values count once",
      { stored: [...full, plain("LAST", "y".repeat(room)), plain("LAST", "z".repeat(room), "preview")] },
      null,
    ],
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
