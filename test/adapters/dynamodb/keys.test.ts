import { lastPerName } from "../../../src/adapters/aws/dynamodb/items.js";
import { auditKey, garbageRanges, newVersion, variableKey, variableSetKey } from "../../../src/adapters/aws/dynamodb/keys.js";

const current = "000000000007-aaaaaaaaaaaa";
const inRanges = (sk: string, pointer: { version: string; seq: number }) => garbageRanges("all", pointer).some((r) => r.from <= sk && sk <= r.to);

test.each<[string, string, boolean]>([
  ["an item of the current version", `VAR#all#${current}#API_KEY`, false],
  ["the current version's first possible item", `VAR#all#${current}#A`, false],
  ["an item of the version it replaced", "VAR#all#000000000003-ffffffffffff#API_KEY", true],
  ["a lost replace from the same base, sorting before", "VAR#all#000000000007-0aaaaaaaaaaa#API_KEY", true],
  ["a lost replace from the same base, sorting after", "VAR#all#000000000007-baaaaaaaaaaa#API_KEY", true],
  ["a crashed replace from a later base", "VAR#all#000000000008-000000000000#API_KEY", true],
  ["a replace that may still switch (base = seq)", "VAR#all#000000000009-000000000000#API_KEY", false],
  ["a replace from a base not reached yet", "VAR#all#000000000010-000000000000#API_KEY", false],
  ["another scope's old version", "VAR#preview#000000000003-ffffffffffff#API_KEY", false],
  ["the pointer", "VARSET#all", false],
  ["an audit item", "AUDIT#2024-01-01T00:00:00.000Z#abc", false],
])("garbageRanges at seq 9: %s", (_name, sk, garbage) => {
  expect(inRanges(sk, { version: current, seq: 9 })).toBe(garbage);
});

test("a fresh pointer (seq 0) has no garbage range past its version", () => {
  const version = newVersion(0);
  expect(garbageRanges("production", { version, seq: 0 })).toEqual([{ from: "VAR#production#", to: `VAR#production#${version}` }]);
});

test("version ids have a fixed length and sort by the seq they were started from", () => {
  const versions = [newVersion(10), newVersion(9), newVersion(123456), newVersion(0)];
  expect(new Set(versions.map((v) => v.length))).toEqual(new Set([25]));
  expect([...versions].sort()).toEqual([versions[3], versions[1], versions[0], versions[2]]);
  expect(newVersion(5)).not.toBe(newVersion(5));
});

test("keys put a repository's variables, pointers and audit in one item collection by numeric id", () => {
  expect(variableSetKey(42, "preview")).toEqual({ pk: "REPO#42", sk: "VARSET#preview" });
  expect(variableKey(42, "all", "v", "API_KEY")).toEqual({ pk: "REPO#42", sk: "VAR#all#v#API_KEY" });
  expect(auditKey(42, "2024-05-01T10:00:00.000Z").sk).toMatch(/^AUDIT#2024-05-01T10:00:00\.000Z#[0-9a-f]{12}$/);
});

test.each([
  [[], []],
  [[{ name: "A", v: 1 }], [{ name: "A", v: 1 }]],
  [
    [
      { name: "A", v: 1 },
      { name: "B", v: 2 },
      { name: "A", v: 3 },
    ],
    [
      { name: "A", v: 3 },
      { name: "B", v: 2 },
    ],
  ],
])("lastPerName(%j)", (entries, expected) => {
  expect(lastPerName(entries)).toEqual(expected);
});
