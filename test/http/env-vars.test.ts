import { editorIssues, envPutSchema, envQuerySchema, envVarViews, variableChanges } from "../../src/http/env-vars.js";
import type { StoredEntry } from "../../src/ports/variable-store.js";

const at = { updatedAt: "2024-05-01T12:00:00.000Z", updatedBy: "octocat" };
const plain = (name: string, scope: StoredEntry["scope"], value: string): StoredEntry => ({ name, scope, isSecret: false, value, ...at });
const secret = (name: string, scope: StoredEntry["scope"]): StoredEntry => ({
  name,
  scope,
  isSecret: true,
  secretId: `arn:aws:secretsmanager:us-east-1:1:secret:${name}`,
  valueBytes: 8,
  ...at,
});

describe("envVarViews", () => {
  const entries = [plain("Z", "preview", "p"), secret("TOKEN", "production"), secret("KEY", "all"), plain("A", "production", "a"), plain("B", "all", "b")];

  test.each([
    [
      true,
      [
        ["B", "all", "b"],
        ["KEY", "all", "***"],
        ["A", "production", "a"],
        ["TOKEN", "production", "***"],
        ["Z", "preview", "p"],
      ],
    ],
    [
      false,
      [
        ["B", "all", null],
        ["KEY", "all", null],
        ["A", "production", null],
        ["TOKEN", "production", null],
        ["Z", "preview", null],
      ],
    ],
  ])("canWrite=%s: scopes in order all, production, preview; names sorted; values as SPEC 7", (canWrite, expected) => {
    const views = envVarViews(entries, canWrite);
    expect(views.map((v) => [v.key, v.environment, v.value])).toEqual(expected);
  });

  test("a view never carries the secret's ARN or size", () => {
    const [view] = envVarViews([secret("TOKEN", "all")], true);
    expect(view).toEqual({ key: "TOKEN", value: "***", isSecret: true, environment: "all", ...at });
  });
});

describe("variableChanges", () => {
  test.each([
    ["a plain value", { key: "A", value: "1", isSecret: false }, { name: "A", value: "1", isSecret: false }],
    ["a secret without a value keeps none", { key: "S", isSecret: true }, { name: "S", isSecret: true }],
    ["a secret sent as ***", { key: "S", value: "***", isSecret: true }, { name: "S", value: "***", isSecret: true }],
  ])("%s", (_what, envVar, change) => {
    expect(variableChanges({ environment: "all", envVars: [envVar] })).toEqual([change]);
  });
});

describe("editorIssues", () => {
  test.each([
    [
      [2, "key"],
      ["envVars", 2, "key"],
    ],
    [
      [0, "value"],
      ["envVars", 0, "value"],
    ],
    [[], ["envVars"]],
  ])("%j → %j", (path, expected) => {
    expect(editorIssues([{ path, message: "m" }])).toEqual([{ code: "custom", path: expected, message: "m" }]);
  });
});

describe("schemas", () => {
  test.each([
    [{}, true],
    [{ environment: "preview" }, true],
    [{ environment: "staging" }, false],
    [{ environment: "all", extra: "1" }, false],
  ])("query %j valid: %s", (query, valid) => {
    expect(envQuerySchema.safeParse(query).success).toBe(valid);
  });

  test.each([
    [{ environment: "all", envVars: [] }, true],
    [{ environment: "all", envVars: [{ key: "S", isSecret: true }] }, true],
    [{ environment: "all" }, false],
    [{ envVars: [] }, false],
    [{ environment: "all", envVars: [{ key: "A", value: "1" }] }, false],
    [{ environment: "all", envVars: [{ key: "A", value: null, isSecret: false }] }, false],
    [{ environment: "all", envVars: {} }, false],
  ])("body %j valid: %s", (body, valid) => {
    expect(envPutSchema.safeParse(body).success).toBe(valid);
  });
});
