import { jest } from "@jest/globals";
import { VariableEditor, type EditResult, type RepositoryTarget, type VariableChange } from "../../../src/workflows/variables/editor.js";
import { MAX_ENVIRONMENT_BYTES, MAX_VALUE_BYTES } from "../../../src/domain/variable-names.js";
import { SecretTags } from "../../../src/workflows/variables/secret-tags.js";
import { SECRET_TAGS } from "../../../src/ports/variable-store.js";
import type { VariableScope } from "../../../src/domain/variables.js";
import { MemorySecretStore } from "../../support/memory-secret-store.js";
import { MemoryVariableStore } from "../../support/memory-variable-store.js";

const repo: RepositoryTarget = { id: 42, fullName: "acme/web" };
/** The operator's map as the editor sees it: acme/web's secrets belong to web-build's domain, acme/unmapped's to none. */
let domains: Record<string, string>;
const change = { actor: "octocat", via: "api" } as const;
const plain = (name: string, value: string): VariableChange => ({ name, isSecret: false, value });
const secret = (name: string, value?: string): VariableChange => ({ name, isSecret: true, ...(value !== undefined && { value }) });
const secretId = (scope: VariableScope, key: string) => `codebuild-checks/42/${scope}/${key}`;

let variables: MemoryVariableStore;
let secrets: MemorySecretStore;
let editor: VariableEditor;

beforeEach(() => {
  const now = () => new Date("2024-05-01T12:00:00Z");
  variables = new MemoryVariableStore(now);
  secrets = new MemorySecretStore();
  domains = { "acme/web": "web-build" };
  editor = new VariableEditor(variables, secrets, "codebuild-checks/", { tags: new SecretTags(secrets), domainOf: (fullName) => domains[fullName] }, now);
});

/** Sets up stored state through the editor, failing loudly if it is refused. */
async function given(scope: VariableScope, changes: VariableChange[]): Promise<void> {
  expect(await editor.set(repo, scope, changes, change)).toMatchObject({ ok: true });
}

/** Stored entries as name → kind/value, for short assertions. */
async function stored(scope: VariableScope): Promise<Record<string, string>> {
  const entries = await variables.list(repo.id, [scope]);
  return Object.fromEntries(entries.map((e) => [e.name, e.isSecret ? `secret ${e.secretId}` : `plain ${e.value}`]));
}

const writes = () => secrets.calls.filter((c) => c.method !== "getValue");

/** The ARN the variable store holds for a secret. */
async function arnOf(scope: VariableScope, key: string): Promise<string> {
  const entry = (await variables.list(repo.id, [scope])).find((e) => e.name === key);
  if (!entry?.isSecret) throw new Error(`${key} is not a stored secret in ${scope}`);
  return entry.secretId;
}

function problemsOf(result: EditResult) {
  if (result.ok) throw new Error("expected problems, got ok");
  return result.problems;
}

describe("set", () => {
  test("a plain variable is stored in the variable store only, and audited without its value", async () => {
    await given("all", [plain("API_URL", "https://api.example.com")]);
    expect(await stored("all")).toEqual({ API_URL: "plain https://api.example.com" });
    expect(secrets.calls).toEqual([]);
    expect(await variables.audit(repo.id)).toEqual([
      { at: "2024-05-01T12:00:00.000Z", actor: "octocat", action: "set", repositoryId: 42, scope: "all", name: "API_URL", isSecret: false, via: "api" },
    ]);
  });

  test.each<[VariableScope, RepositoryTarget, Record<string, string>]>([
    ["all", repo, { [SECRET_TAGS.repositoryId]: "42", [SECRET_TAGS.environment]: "all", [SECRET_TAGS.project]: "web-build" }],
    ["production", repo, { [SECRET_TAGS.repositoryId]: "42", [SECRET_TAGS.environment]: "production", [SECRET_TAGS.project]: "web-build" }],
    ["preview", { id: 42, fullName: "acme/unmapped" }, { [SECRET_TAGS.repositoryId]: "42", [SECRET_TAGS.environment]: "preview" }],
  ])("a secret in %s goes to the secret store, tagged; the variable store gets its ARN and size only", async (scope, target, tags) => {
    const value = "s3cr3t-välue";
    expect(await editor.set(target, scope, [secret("API_KEY", value)], change)).toMatchObject({ ok: true });
    expect(secrets.calls).toEqual([{ method: "put", name: secretId(scope, "API_KEY"), tags }]);
    expect(secrets.peek(secretId(scope, "API_KEY"))).toBe(value);
    const entries = await variables.list(repo.id);
    expect(entries).toEqual([expect.objectContaining({ name: "API_KEY", scope, isSecret: true, valueBytes: Buffer.byteLength(value) })]);
    const arn = await arnOf(scope, "API_KEY");
    expect(arn).toMatch(new RegExp(`^arn:aws:secretsmanager:[^:]+:\\d+:secret:${secretId(scope, "API_KEY")}-[\\w-]{6}$`));
    expect(secrets.peek(arn)).toBe(value);
    expect(JSON.stringify(entries)).not.toContain(value);
    expect(JSON.stringify(await variables.audit(repo.id))).not.toContain(value);
  });

  test("a new value of a secret keeps the same secret, and deletes nothing", async () => {
    await given("all", [secret("API_KEY", "first-value")]);
    await given("all", [secret("API_KEY", "second-value")]);
    expect(secrets.peek(secretId("all", "API_KEY"))).toBe("second-value");
    expect(writes().map((c) => c.method)).toEqual(["put", "put"]);
  });

  test("switching a name from secret to plain deletes the secret", async () => {
    await given("all", [secret("API_KEY", "s3cr3t-value")]);
    const arn = await arnOf("all", "API_KEY");
    await given("all", [plain("API_KEY", "now-public")]);
    expect(await stored("all")).toEqual({ API_KEY: "plain now-public" });
    expect(secrets.calls).toContainEqual({ method: "delete", name: arn });
    expect(secrets.liveNames()).toEqual([]);
  });

  test("switching a name from plain to secret leaves no plain value behind", async () => {
    await given("all", [plain("API_KEY", "was-public")]);
    await given("all", [secret("API_KEY", "s3cr3t-value")]);
    expect(await stored("all")).toEqual({ API_KEY: `secret ${await arnOf("all", "API_KEY")}` });
  });

  test("a secret of the same name in another environment is a different secret and stays", async () => {
    await given("all", [secret("API_KEY", "all-value")]);
    await given("production", [plain("API_KEY", "prod-public")]);
    expect(secrets.liveNames()).toEqual([secretId("all", "API_KEY")]);
    expect(writes().filter((c) => c.method === "delete")).toEqual([]);
  });

  test.each([
    ["without a value", secret("API_KEY")],
    ["with *** as its value", secret("API_KEY", "***")],
  ])("refuses a secret %s: set always stores a value", async (_, c) => {
    await given("all", [secret("API_KEY", "s3cr3t-value")]);
    expect(await editor.set(repo, "all", [c], change)).toEqual({
      ok: false,
      problems: [{ path: [0, "value"], message: "API_KEY needs a value: *** keeps a stored secret only when a whole environment is replaced" }],
    });
    expect(secrets.peek(secretId("all", "API_KEY"))).toBe("s3cr3t-value");
  });
});

describe("unset", () => {
  test("removing a secret deletes it; removing a plain variable touches no secret", async () => {
    await given("all", [secret("API_KEY", "s3cr3t-value"), plain("API_URL", "https://api.example.com"), plain("KEEP", "1")]);
    const arn = await arnOf("all", "API_KEY");
    secrets.calls.length = 0;
    expect(await editor.unset(repo, "all", ["API_URL"], change)).toMatchObject({ ok: true });
    expect(secrets.calls).toEqual([]);
    expect(await editor.unset(repo, "all", ["API_KEY", "NOT_SET"], change)).toMatchObject({ ok: true });
    expect(secrets.calls).toEqual([{ method: "delete", name: arn }]);
    expect(await stored("all")).toEqual({ KEEP: "plain 1" });
    expect(secrets.liveNames()).toEqual([]);
  });

  test("only the given environment's name is removed", async () => {
    await given("all", [secret("API_KEY", "all-value")]);
    await given("preview", [secret("API_KEY", "preview-value")]);
    await editor.unset(repo, "preview", ["API_KEY"], change);
    expect(secrets.liveNames()).toEqual([secretId("all", "API_KEY")]);
    expect(await stored("all")).toEqual({ API_KEY: `secret ${await arnOf("all", "API_KEY")}` });
  });
});

describe("replace", () => {
  beforeEach(async () => {
    await given("all", [secret("API_KEY", "s3cr3t-value"), secret("DB_PASSWORD", "db-password"), plain("API_URL", "https://api.example.com")]);
    await given("production", [secret("PROD_ONLY", "prod-value")]);
    secrets.calls.length = 0;
  });

  test.each([
    ["sent as ***", secret("API_KEY", "***")],
    ["sent without a value", secret("API_KEY")],
  ])("keeps a secret %s without writing to the secret store", async (_, kept) => {
    const arn = await arnOf("all", "API_KEY");
    secrets.calls.length = 0;
    expect(await editor.replace(repo, "all", [kept, secret("DB_PASSWORD", "***"), plain("API_URL", "https://v2.example.com")], change)).toMatchObject({
      ok: true,
    });
    expect(secrets.calls).toEqual([]);
    expect(secrets.peek(arn)).toBe("s3cr3t-value");
    const entry = (await variables.list(repo.id, ["all"])).find((e) => e.name === "API_KEY");
    expect(entry).toEqual(expect.objectContaining({ isSecret: true, secretId: arn, valueBytes: "s3cr3t-value".length }));
  });

  test("stores a secret sent with a new value", async () => {
    expect(await editor.replace(repo, "all", [secret("API_KEY", "rotated-value"), secret("DB_PASSWORD")], change)).toMatchObject({ ok: true });
    expect(secrets.peek(secretId("all", "API_KEY"))).toBe("rotated-value");
    expect(secrets.peek(secretId("all", "DB_PASSWORD"))).toBe("db-password");
  });

  test("deletes the secrets dropped from the set, and only this environment's", async () => {
    const dropped = await arnOf("all", "DB_PASSWORD");
    secrets.calls.length = 0;
    expect(await editor.replace(repo, "all", [secret("API_KEY"), plain("NEW", "1")], change)).toMatchObject({ ok: true });
    expect(writes()).toEqual([{ method: "delete", name: dropped }]);
    expect(await stored("all")).toEqual({ API_KEY: `secret ${await arnOf("all", "API_KEY")}`, NEW: "plain 1" });
    expect(secrets.liveNames().sort()).toEqual([secretId("all", "API_KEY"), secretId("production", "PROD_ONLY")]);
  });

  test("a secret turned plain is deleted", async () => {
    const arn = await arnOf("all", "API_KEY");
    secrets.calls.length = 0;
    expect(await editor.replace(repo, "all", [plain("API_KEY", "public"), secret("DB_PASSWORD")], change)).toMatchObject({ ok: true });
    expect(writes()).toEqual([{ method: "delete", name: arn }]);
  });

  test("an empty set removes the environment's variables and deletes its secrets", async () => {
    expect(await editor.replace(repo, "all", [], change)).toMatchObject({ ok: true });
    expect(await stored("all")).toEqual({});
    expect(secrets.liveNames()).toEqual([secretId("production", "PROD_ONLY")]);
  });

  test.each<[string, VariableChange[]]>([
    ["a name that was never set", [secret("NEW_KEY", "***")]],
    ["a name that is plain here", [secret("API_URL")]],
    ["a name that is secret only in another environment", [plain("API_KEY", "x"), secret("PROD_ONLY", "***")]],
  ])("refuses to keep a secret that does not exist: %s", async (_, changes) => {
    const result = await editor.replace(repo, "all", changes, change);
    const index = changes.length - 1;
    expect(result).toEqual({
      ok: false,
      problems: [{ path: [index, "value"], message: `${changes[index]!.name} has no stored secret value to keep: send its value` }],
    });
  });
});

describe("the secrets' trust domain follows the operator's map", () => {
  const tagsOf = (scope: VariableScope, project?: string) => ({
    [SECRET_TAGS.repositoryId]: "42",
    [SECRET_TAGS.environment]: scope,
    ...(project && { [SECRET_TAGS.project]: project }),
  });

  test("a secret just stored is not tagged a second time", async () => {
    await given("all", [secret("API_KEY", "one")]);
    await given("production", [plain("LOG_LEVEL", "warn")]);
    expect(secrets.calls.filter((c) => c.method === "tag")).toEqual([]);
  });

  test.each<[string, (r: RepositoryTarget) => Promise<EditResult>]>([
    ["a set", (r) => editor.set(r, "preview", [plain("LOG_LEVEL", "debug")], change)],
    ["an unset", (r) => editor.unset(r, "preview", ["NOTHING_HERE"], change)],
    ["a replace", (r) => editor.replace(r, "preview", [plain("LOG_LEVEL", "debug")], change)],
  ])("after the map moved the repository, %s re-tags every secret of it for its new domain", async (_name, operate) => {
    await given("all", [secret("API_KEY", "one")]);
    await given("production", [secret("DB_PASSWORD", "two")]);
    domains["acme/web"] = "web-isolated";
    secrets.calls.length = 0;
    expect(await operate(repo)).toMatchObject({ ok: true });
    expect(secrets.calls.filter((c) => c.method === "tag")).toEqual([
      { method: "tag", name: await arnOf("all", "API_KEY"), tags: tagsOf("all", "web-isolated") },
      { method: "tag", name: await arnOf("production", "DB_PASSWORD"), tags: tagsOf("production", "web-isolated") },
    ]);
  });
});

describe("refused input: a problem per field, and nothing written", () => {
  type Method = "set" | "replace";
  const over = (bytes: number) => "a".repeat(bytes);
  const cases: [string, VariableChange[], (string | number)[][]][] = [
    ["a duplicate name", [plain("A_NAME", "1"), secret("A_NAME", "2nd-value")], [[1, "key"]]],
    ["a name starting CODEBUILD_", [plain("CODEBUILD_X", "1")], [[0, "key"]]],
    ["an identity name", [plain("OK", "1"), plain("PROJECT_ID", "o/r")], [[1, "key"]]],
    ["a lower-case name", [plain("lower", "1")], [[0, "key"]]],
    ["a name starting with a digit", [plain("1ABC", "1")], [[0, "key"]]],
    ["a name with a dash", [secret("A-B", "s3cr3t-value")], [[0, "key"]]],
    ["an empty name", [plain("", "1")], [[0, "key"]]],
    ["a plain variable without a value", [{ name: "NO_VALUE", isSecret: false }], [[0, "value"]]],
    ["a plain value over 16 KiB", [plain("BIG", over(MAX_VALUE_BYTES + 1))], [[0, "value"]]],
    ["a secret value over 16 KiB", [secret("BIG", over(MAX_VALUE_BYTES + 1))], [[0, "value"]]],
    ["a multibyte value over 16 KiB", [plain("BIG", "é".repeat(MAX_VALUE_BYTES / 2) + "a")], [[0, "value"]]],
    [
      "several problems at once",
      [plain("bad", "1"), plain("CODEBUILD_Y", over(MAX_VALUE_BYTES + 1))],
      [
        [0, "key"],
        [1, "key"],
        [1, "value"],
      ],
    ],
  ];
  const methods: Method[] = ["set", "replace"];

  test.each(methods.flatMap((method) => cases.map(([what, changes, paths]) => [method, what, changes, paths] as const)))(
    "%s refuses %s",
    async (method, _, changes, paths) => {
      await given("all", [secret("API_KEY", "s3cr3t-value"), plain("API_URL", "https://api.example.com")]);
      const before = JSON.stringify([...variables.repositories]);
      const audited = variables.auditTrail.length;
      const calls = secrets.calls.length;
      const problems = problemsOf(await editor[method](repo, "all", [...changes], change));
      expect(problems.map((p) => p.path)).toEqual(paths);
      for (const problem of problems) expect(problem.message).toMatch(/\S/);
      expect(JSON.stringify([...variables.repositories])).toBe(before);
      expect(variables.auditTrail).toHaveLength(audited);
      expect(secrets.calls.slice(calls)).toEqual([]);
    },
  );

  test.each([
    ["ASCII", over(MAX_VALUE_BYTES)],
    ["two-byte characters", "é".repeat(MAX_VALUE_BYTES / 2)],
    ["four-byte characters", "🔑".repeat(MAX_VALUE_BYTES / 4)],
  ])("a value of exactly 16,384 bytes of %s is stored, plain or secret", async (_, value) => {
    expect(Buffer.byteLength(value)).toBe(16_384);
    expect(await editor.set(repo, "all", [plain("PLAIN", value)], change)).toMatchObject({ ok: true });
    expect(await editor.replace(repo, "all", [plain("PLAIN", value), secret("SECRET", value)], change)).toMatchObject({ ok: true });
    expect(secrets.peek(secretId("all", "SECRET"))).toBe(value);
  });

  test("the message of a value too long names the variable, its size and the limit", async () => {
    const result = await editor.set(repo, "all", [secret("BIG", "🔑".repeat(MAX_VALUE_BYTES / 4) + "a")], change);
    expect(result).toEqual({ ok: false, problems: [{ path: [0, "value"], message: "BIG is 16385 bytes long; a value may be at most 16384 bytes (16 KiB)" }] });
  });
});

describe("the 256 KiB of a build's variables: all plus one environment", () => {
  /** Names of two bytes and values of `bytes` bytes: each change takes `2 + bytes`. */
  const changes = (prefix: string, count: number, bytes: number, kind: "plain" | "secret"): VariableChange[] =>
    Array.from({ length: count }, (_, i) => (kind === "plain" ? plain : secret)(`${prefix}${i}`, "x".repeat(bytes)));
  const full = 2 + MAX_VALUE_BYTES;
  /** The value size that brings 8 full entries in `all` plus 7 in the environment plus one more to exactly 256 KiB. */
  const lastBytes = MAX_ENVIRONMENT_BYTES - 15 * full - 2;

  test.each(["production", "preview"] as const)("%s: exactly 256 KiB is stored, one byte more is refused and nothing written", async (environment) => {
    await given("all", changes("A", 8, MAX_VALUE_BYTES, "secret"));
    await given(environment, changes("B", 7, MAX_VALUE_BYTES, "plain"));
    expect(await editor.set(repo, environment, [plain("C0", "x".repeat(lastBytes))], change)).toMatchObject({ ok: true });

    const before = JSON.stringify([...variables.repositories]);
    const calls = secrets.calls.length;
    const result = await editor.set(repo, environment, [secret("C0", "x".repeat(lastBytes + 1))], change);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          path: [],
          message: `the ${environment} builds' stored variables would take ${MAX_ENVIRONMENT_BYTES + 1} bytes; a build's variables may take at most ${MAX_ENVIRONMENT_BYTES} bytes (256 KiB) together`,
        },
      ],
    });
    expect(JSON.stringify([...variables.repositories])).toBe(before);
    expect(secrets.calls).toHaveLength(calls);
  });

  test("a set in one environment does not count the other's variables", async () => {
    const fullEnvironment = [...changes("B", 7, MAX_VALUE_BYTES, "plain"), plain("C0", "x".repeat(lastBytes))];
    await given("all", changes("A", 8, MAX_VALUE_BYTES, "plain"));
    await given("production", fullEnvironment);
    expect(await editor.set(repo, "preview", fullEnvironment, change)).toMatchObject({ ok: true });
  });

  test("a name set in all and in the environment counts once, with the environment's value", async () => {
    await given("all", changes("A", 8, MAX_VALUE_BYTES, "plain"));
    await given("production", changes("A", 8, MAX_VALUE_BYTES, "plain"));
    expect(await editor.set(repo, "production", changes("B", 7, MAX_VALUE_BYTES, "plain"), change)).toMatchObject({ ok: true });
  });

  test("replace counts a kept secret by its stored size", async () => {
    await given("all", changes("A", 8, MAX_VALUE_BYTES, "secret"));
    await given("production", [...changes("B", 7, MAX_VALUE_BYTES, "plain"), plain("C0", "x".repeat(lastBytes))]);
    const kept = Array.from({ length: 8 }, (_, i) => secret(`A${i}`, "***"));
    expect(await editor.replace(repo, "all", kept, change)).toMatchObject({ ok: true });

    const before = JSON.stringify([...variables.repositories]);
    const calls = secrets.calls.length;
    const result = await editor.replace(repo, "all", [...kept.map((c) => secret(c.name)), plain("Z", "")], change);
    expect(problemsOf(result).map((p) => p.message)).toEqual([
      expect.stringContaining(`production builds' stored variables would take ${MAX_ENVIRONMENT_BYTES + 1} bytes`),
    ]);
    expect(JSON.stringify([...variables.repositories])).toBe(before);
    expect(secrets.calls).toHaveLength(calls);
  });
});

describe("one read of the store per change", () => {
  const listed = () => jest.spyOn(variables, "list");
  const sorted = (entries: readonly { scope: string; name: string }[]) =>
    [...entries].sort((a, b) => `${a.scope}/${a.name}`.localeCompare(`${b.scope}/${b.name}`));

  test.each<[string, (current: Awaited<ReturnType<MemoryVariableStore["list"]>>) => Promise<EditResult>]>([
    ["a set", (current) => editor.set(repo, "all", [plain("API_URL", "v2"), secret("API_KEY", "rotated-key")], change, current)],
    ["an unset", (current) => editor.unset(repo, "production", ["DB_PASSWORD", "LOG_LEVEL"], change, current)],
    ["a replace", (current) => editor.replace(repo, "all", [secret("API_KEY"), plain("NEW", "1")], change, current)],
  ])("%s given the entries its caller read answers with the entries the store then holds, reading none", async (_, edit) => {
    await given("all", [plain("API_URL", "v1"), secret("API_KEY", "first-key")]);
    await given("production", [secret("DB_PASSWORD", "db-pass"), plain("LOG_LEVEL", "warn")]);
    const current = await variables.list(repo.id);
    const reads = listed();
    const result = await edit(current);
    expect(reads).not.toHaveBeenCalled();
    if (!result.ok) throw new Error("expected the change to be made");
    expect(sorted(result.entries)).toEqual(sorted(await variables.list(repo.id)));
  });

  test("without them it reads the store once", async () => {
    const reads = listed();
    await editor.set(repo, "preview", [plain("LOG_LEVEL", "debug")], change);
    expect(reads).toHaveBeenCalledTimes(1);
  });
});
