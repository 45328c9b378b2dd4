import { emptyThread, replacedBy, THREAD_ENTRIES_MAX, withEntry, withInactive, type ThreadEntry } from "../../src/deployments/thread.js";
import type { MaskedText } from "../../src/variables/masking.js";

const key = { repositoryId: 1, pullRequest: 2 };
const sha = (n: number) => n.toString(16).padStart(40, "a");
const entry = (n: number, more: Partial<ThreadEntry> = {}): ThreadEntry => ({
  deploymentId: `d${n}`,
  githubDeploymentId: 100 + n,
  sha: sha(n),
  state: "queued",
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  ...more,
});

describe("withEntry", () => {
  test("newest build first, whatever order the reports come in", () => {
    const thread = [entry(2), entry(1), entry(3)].reduce(withEntry, emptyThread(key));
    expect(thread.entries.map((e) => e.deploymentId)).toEqual(["d3", "d2", "d1"]);
  });

  test("a build's later report replaces its earlier one; a late progress report changes nothing", () => {
    let thread = withEntry(emptyThread(key), entry(1));
    thread = withEntry(thread, entry(1, { state: "success", url: "https://a.example/" as MaskedText }));
    thread = withEntry(thread, entry(1, { state: "in_progress" }));
    expect(thread.entries).toEqual([entry(1, { state: "success", url: "https://a.example/" as MaskedText })]);
  });

  test("a replaced preview stays inactive", () => {
    const thread = withEntry(withEntry(emptyThread(key), entry(1, { state: "inactive" })), entry(1, { state: "success" }));
    expect(thread.entries[0]!.state).toBe("inactive");
  });

  test(`keeps the ${THREAD_ENTRIES_MAX} newest`, () => {
    const thread = Array.from({ length: THREAD_ENTRIES_MAX + 5 }, (_, i) => entry(i)).reduce(withEntry, emptyThread(key));
    expect(thread.entries).toHaveLength(THREAD_ENTRIES_MAX);
    expect(thread.entries.at(-1)!.deploymentId).toBe("d5");
  });
});

describe("replacedBy", () => {
  const thread = [entry(1, { state: "success" }), entry(2, { state: "failure" }), entry(3, { state: "success" }), entry(4, { state: "in_progress" })].reduce(
    withEntry,
    emptyThread(key),
  );

  test("a newer preview that succeeded replaces the earlier ones still live", () => {
    expect(replacedBy(thread, entry(3, { state: "success" })).map((e) => e.deploymentId)).toEqual(["d1"]);
  });

  test("a preview that has not succeeded replaces nothing", () => {
    expect(replacedBy(thread, entry(4, { state: "in_progress" }))).toEqual([]);
  });

  test("an older preview succeeding late does not replace a newer one", () => {
    expect(replacedBy(thread, entry(1, { state: "success" }))).toEqual([]);
  });

  test("withInactive marks them", () => {
    const after = withInactive(thread, [entry(1)]);
    expect(after.entries.find((e) => e.deploymentId === "d1")!.state).toBe("inactive");
    expect(after.entries.find((e) => e.deploymentId === "d3")!.state).toBe("success");
  });
});
