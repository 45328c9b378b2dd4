import { checkUpdateDue, updateFingerprint, type CheckUpdate, type SentCheckUpdate } from "../../../src/builds/watch/update-throttle.js";

const INTERVAL = 10_000;
const NOW = 1_000_000;
const last: SentCheckUpdate = { phase: "BUILD", completed: false, fingerprint: "f1", at: NOW - 1_000 };
const update = (fields: Partial<CheckUpdate>): CheckUpdate => ({ phase: "BUILD", completed: false, fingerprint: "f2", ...fields });

describe("checkUpdateDue", () => {
  test.each<[string, SentCheckUpdate | undefined, CheckUpdate, number, boolean]>([
    ["the first update", undefined, update({}), NOW, true],
    ["new output within the interval", last, update({}), NOW, false],
    ["new output just before the interval is over", last, update({}), last.at + INTERVAL - 1, false],
    ["new output once the interval is over", last, update({}), last.at + INTERVAL, true],
    ["a phase change, at once", last, update({ phase: "POST_BUILD" }), NOW, true],
    ["a completion, at once", last, update({ completed: true }), NOW, true],
    ["nothing changed, long after", last, update({ fingerprint: "f1" }), NOW + 10 * INTERVAL, false],
    ["the same completion again", { ...last, completed: true }, update({ completed: true, fingerprint: "f1" }), NOW, false],
  ])("%s → %p", (_, sent, next, now, expected) => {
    expect(checkUpdateDue(sent, next, now, INTERVAL)).toBe(expected);
  });
});

describe("updateFingerprint", () => {
  const state = { status: "in_progress", output: { title: "Building — BUILD phase", summary: "…", text: "line 1" } };
  test("equal updates have equal fingerprints, any change gives another", () => {
    expect(updateFingerprint(state)).toBe(updateFingerprint(structuredClone(state)));
    expect(updateFingerprint(state)).not.toBe(updateFingerprint({ ...state, output: { ...state.output, text: "line 1\nline 2" } }));
    expect(updateFingerprint(state)).not.toBe(updateFingerprint({ ...state, status: "completed" }));
  });
});
