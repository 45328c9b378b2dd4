import { SECRET_VALUES_TTL_MS, SecretValues } from "../../../src/workflows/variables/secret-values.js";
import type { SecretStore } from "../../../src/ports/variable-store.js";
import { MemorySecretStore } from "../../support/memory-secret-store.js";

describe("SecretValues", () => {
  let now = 0;
  const clock = () => now;
  let store: MemorySecretStore;
  const reads = () => store.calls.filter((c) => c.method === "getValue").map((c) => c.name);

  beforeEach(async () => {
    now = 1_000_000;
    store = new MemorySecretStore();
    await store.put("codebuild-checks/42/all/TOKEN", "token-value", {});
    await store.put("codebuild-checks/42/preview/KEY", "key-value", {});
  });

  test("values of secrets by name or ARN, in order, without those that have none", async () => {
    const { arn } = await store.put("codebuild-checks/42/production/DB", "db-value", {});
    await store.put("codebuild-checks/42/all/GONE", "gone-value", {});
    await store.delete("codebuild-checks/42/all/GONE");
    const values = new SecretValues(store, clock);
    expect(
      await values.valuesOf([
        "codebuild-checks/42/all/TOKEN",
        arn,
        "codebuild-checks/42/all/MISSING",
        "codebuild-checks/42/all/GONE",
        "codebuild-checks/42/preview/KEY",
      ]),
    ).toEqual(["token-value", "db-value", "key-value"]);
  });

  test.each([
    [0, 1],
    [SECRET_VALUES_TTL_MS - 1, 1],
    [SECRET_VALUES_TTL_MS, 2],
  ])("asked again %i ms later: %i read(s) of each secret", async (later, expectedReads) => {
    const values = new SecretValues(store, clock);
    const ids = ["codebuild-checks/42/all/TOKEN", "codebuild-checks/42/all/MISSING"];
    await values.valuesOf(ids);
    now += later;
    await values.valuesOf(ids);
    expect(reads()).toEqual(Array.from({ length: expectedReads }, () => ids).flat());
  });

  test("a value changed within the time keeps its cached value until then, and the new one after", async () => {
    const values = new SecretValues(store, clock);
    await values.valuesOf(["codebuild-checks/42/all/TOKEN"]);
    await store.put("codebuild-checks/42/all/TOKEN", "rotated-value", {});
    now += 1_000;
    expect(await values.valuesOf(["codebuild-checks/42/all/TOKEN"])).toEqual(["token-value"]);
    now += SECRET_VALUES_TTL_MS;
    expect(await values.valuesOf(["codebuild-checks/42/all/TOKEN"])).toEqual(["rotated-value"]);
  });

  test("a value fetched before the given time is fetched again (a build started after a change)", async () => {
    const values = new SecretValues(store, clock);
    await values.valuesOf(["codebuild-checks/42/all/TOKEN"]);
    now += 1_000;
    await store.put("codebuild-checks/42/all/TOKEN", "rotated-value", {});
    const buildStarted = now;
    now += 1_000;
    expect(await values.valuesOf(["codebuild-checks/42/all/TOKEN"], buildStarted)).toEqual(["rotated-value"]);
    now += 1_000;
    expect(await values.valuesOf(["codebuild-checks/42/all/TOKEN"], buildStarted)).toEqual(["rotated-value"]);
    expect(reads()).toHaveLength(2);
  });

  test("a secret named twice is read once, and equal values are given once", async () => {
    await store.put("codebuild-checks/42/preview/TOKEN", "token-value", {});
    const values = new SecretValues(store, clock);
    expect(await values.valuesOf(["codebuild-checks/42/all/TOKEN", "codebuild-checks/42/all/TOKEN", "codebuild-checks/42/preview/TOKEN"])).toEqual([
      "token-value",
    ]);
    expect(reads()).toEqual(["codebuild-checks/42/all/TOKEN", "codebuild-checks/42/preview/TOKEN"]);
  });

  test("a store error reaches the caller as it was thrown, and is not remembered", async () => {
    const failure = new Error("ThrottlingException: Rate exceeded");
    let failing = true;
    const flaky: SecretStore = {
      put: (name, value, tags) => store.put(name, value, tags),
      createIfAbsent: (name, value, tags) => store.createIfAbsent(name, value, tags),
      delete: (name) => store.delete(name),
      tag: (name, tags) => store.tag(name, tags),
      getValue: async (name) => {
        if (failing) throw failure;
        return store.getValue(name);
      },
    };
    const values = new SecretValues(flaky, clock);
    await expect(values.valuesOf(["codebuild-checks/42/all/TOKEN"])).rejects.toBe(failure);
    failing = false;
    expect(await values.valuesOf(["codebuild-checks/42/all/TOKEN"])).toEqual(["token-value"]);
  });
});
