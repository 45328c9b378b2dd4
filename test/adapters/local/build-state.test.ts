import {
  endPhase,
  enterPhase,
  finishBuild,
  notePhaseFailure,
  runningPhase,
  submittedBuild,
  toSnapshot,
  type LocalBuild,
} from "../../../src/adapters/local/build-state.js";

const ID = "local:3f2a9c1e-0d4b-4e8f-9a61-2b7c5d8e1f00";
const at = (seconds: number) => new Date(Date.UTC(2025, 10, 25, 14, 20, seconds));

/** A build that fetched its source and is in BUILD. */
function building(): LocalBuild {
  return enterPhase(endPhase(submittedBuild(ID, at(0)), "SUCCEEDED", at(2)), "BUILD", at(2));
}

describe("a local build's state", () => {
  test("a new build is submitted and fetching its source, its log where LocalLogSource reads it", () => {
    expect(toSnapshot(submittedBuild(ID, at(0)))).toEqual({
      id: ID,
      status: "IN_PROGRESS",
      currentPhase: "DOWNLOAD_SOURCE",
      startTime: at(0),
      endTime: undefined,
      phases: [
        { name: "SUBMITTED", status: "SUCCEEDED", startTime: at(0), endTime: at(0), durationSeconds: 0, messages: [] },
        { name: "DOWNLOAD_SOURCE", status: "IN_PROGRESS", startTime: at(0), endTime: undefined, durationSeconds: undefined, messages: [] },
      ],
      logs: { groupName: "local", streamName: ID, s3Only: false },
    });
  });

  test("a phase's first failure is its message; durations are whole seconds", () => {
    let build = notePhaseFailure(building(), "Error while executing command: make. Reason: exit status 2");
    build = notePhaseFailure(build, "Error while executing command: cleanup. Reason: exit status 1");
    build = endPhase(build, "FAILED", new Date(at(9).getTime() + 600));
    expect(build.phases[2]).toMatchObject({
      name: "BUILD",
      status: "FAILED",
      durationSeconds: 8,
      messages: ["Error while executing command: make. Reason: exit status 2"],
    });
    expect(runningPhase(build)).toBeUndefined();
    // Nothing runs: nothing to end or note.
    expect(endPhase(build, "SUCCEEDED", at(10))).toBe(build);
    expect(notePhaseFailure(build, "late")).toBe(build);
  });

  test.each([
    ["every phase succeeded", (b: LocalBuild) => finishBuild(endPhase(b, "SUCCEEDED", at(5)), at(5)), "SUCCEEDED", "SUCCEEDED"],
    ["a phase failed", (b: LocalBuild) => finishBuild(endPhase(b, "FAILED", at(5)), at(5)), "FAILED", "FAILED"],
    ["a phase still running at the end", (b: LocalBuild) => finishBuild(b, at(5)), "FAILED", "FAILED"],
    ["stopped", (b: LocalBuild) => finishBuild(b, at(5), { status: "STOPPED", phaseStatus: "STOPPED", message: "Build stopped" }), "STOPPED", "STOPPED"],
    [
      "timed out",
      (b: LocalBuild) => finishBuild(b, at(5), { status: "TIMED_OUT", phaseStatus: "TIMED_OUT", message: "Build timed out" }),
      "TIMED_OUT",
      "TIMED_OUT",
    ],
  ])("a build that ends when %s", (_case, end, status, buildPhaseStatus) => {
    const snapshot = toSnapshot(end({ ...building(), process: { pid: 42, startTicks: "7" }, workspace: "/tmp/x" }));
    expect(snapshot.status).toBe(status);
    expect(snapshot.endTime).toEqual(at(5));
    expect(snapshot.currentPhase).toBe("COMPLETED");
    expect(snapshot.phases[2]).toMatchObject({ name: "BUILD", status: buildPhaseStatus, endTime: at(5), durationSeconds: 3 });
    // CodeBuild's COMPLETED has neither status nor duration.
    expect(snapshot.phases[3]).toEqual({ name: "COMPLETED", startTime: at(5), messages: [] });
  });

  test("an ended build forgets its process and checkout", () => {
    const ended = finishBuild({ ...building(), process: { pid: 42 }, workspace: "/tmp/x" }, at(5));
    expect(ended.process).toBeUndefined();
    expect(ended.workspace).toBeUndefined();
  });
});
