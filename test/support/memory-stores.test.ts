import { MemorySecretStore } from "./memory-secret-store.js";
import { MemoryVariableStore } from "./memory-variable-store.js";

const change = { actor: "octocat", via: "comment" } as const;

describe("MemoryVariableStore", () => {
  let now = Date.parse("2024-05-01T12:00:00Z");
  const store = () => new MemoryVariableStore(() => new Date(now));

  test("set keeps other names and scopes, replaces the same name, and stamps who and when", async () => {
    const s = store();
    await s.set(
      1,
      "all",
      [
        { name: "A", isSecret: false, value: "1" },
        { name: "B", isSecret: false, value: "2" },
      ],
      change,
    );
    now += 1000;
    await s.set(1, "all", [{ name: "A", isSecret: true, secretId: "arn:a", valueBytes: 3 }], { actor: "hubot", via: "api" });
    await s.set(1, "preview", [{ name: "A", isSecret: false, value: "p" }], change);
    await s.set(2, "all", [{ name: "OTHER", isSecret: false, value: "x" }], change);
    expect(await s.list(1)).toEqual([
      { name: "B", scope: "all", isSecret: false, value: "2", updatedAt: "2024-05-01T12:00:00.000Z", updatedBy: "octocat" },
      { name: "A", scope: "all", isSecret: true, secretId: "arn:a", valueBytes: 3, updatedAt: "2024-05-01T12:00:01.000Z", updatedBy: "hubot" },
      { name: "A", scope: "preview", isSecret: false, value: "p", updatedAt: "2024-05-01T12:00:01.000Z", updatedBy: "octocat" },
    ]);
    expect((await s.list(1, ["preview"])).map((e) => e.name)).toEqual(["A"]);
  });

  test("unset returns what it removed; replace swaps one scope and returns the previous set", async () => {
    const s = store();
    await s.set(
      1,
      "all",
      [
        { name: "A", isSecret: false, value: "1" },
        { name: "S", isSecret: true, secretId: "arn:s", valueBytes: 1 },
      ],
      change,
    );
    await s.set(1, "production", [{ name: "P", isSecret: false, value: "p" }], change);
    expect((await s.unset(1, "all", ["S", "MISSING"], change)).map((e) => e.name)).toEqual(["S"]);
    expect((await s.replace(1, "all", [{ name: "N", isSecret: false, value: "n" }], change)).map((e) => e.name)).toEqual(["A"]);
    expect((await s.list(1)).map((e) => `${e.scope}:${e.name}`)).toEqual(["production:P", "all:N"]);
  });

  test("the audit trail is newest first, limited, per repository, without values", async () => {
    const s = store();
    await s.set(1, "all", [{ name: "A", isSecret: false, value: "1" }], change);
    await s.replace(1, "all", [{ name: "B", isSecret: true, secretId: "arn:b", valueBytes: 1 }], { actor: "hubot", via: "api" });
    await s.set(2, "all", [{ name: "X", isSecret: false, value: "1" }], change);
    const audit = await s.audit(1);
    expect(audit.map((a) => [a.action, a.name, a.isSecret, a.actor, a.via])).toEqual([
      ["replace", "B", true, "hubot", "api"],
      ["replace", "A", false, "hubot", "api"],
      ["set", "A", false, "octocat", "comment"],
    ]);
    expect(await s.audit(1, 1)).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('"value"');
  });

  test("ping fails while unreachable", async () => {
    const s = store();
    await expect(s.ping()).resolves.toBeUndefined();
    s.unreachable = true;
    await expect(s.ping()).rejects.toThrow("unreachable");
  });
});

describe("MemorySecretStore", () => {
  test("finds secrets by name or ARN; delete schedules deletion; put restores", async () => {
    const s = new MemorySecretStore();
    const { arn } = await s.put("p/1/all/TOKEN", "v1", { a: "1" });
    expect(arn).toMatch(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:p\/1\/all\/TOKEN-[A-Za-z0-9_-]{6}$/);
    expect(await s.getValue(arn)).toBe("v1");
    await s.tag(arn, { b: "2" });
    expect(s.tagsOf("p/1/all/TOKEN")).toEqual({ a: "1", b: "2" });
    await s.delete(arn);
    expect(await s.getValue("p/1/all/TOKEN")).toBeUndefined();
    expect(s.liveNames()).toEqual([]);
    expect((await s.put("p/1/all/TOKEN", "v2", {})).arn).toBe(arn);
    expect(s.peek(arn)).toBe("v2");
    await expect(s.delete("missing")).resolves.toBeUndefined();
    await expect(s.tag("missing", {})).rejects.toThrow("ResourceNotFoundException");
    expect(s.calls.map((c) => c.method)).toEqual(["put", "getValue", "tag", "delete", "getValue", "put", "delete", "tag"]);
    expect(JSON.stringify(s.calls)).not.toContain("v1");
  });
});
