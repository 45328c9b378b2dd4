import type { BuildSnapshot, BuildStatus } from "../../src/domain/build.js";
import { buildConclusion, checkStatus } from "../../src/checks/conclusion.js";
import { runningIn, T0 } from "./fixtures.js";

test.each<[BuildStatus, string | null]>([
  ["SUCCEEDED", "success"],
  ["FAILED", "failure"],
  ["FAULT", "failure"],
  ["TIMED_OUT", "timed_out"],
  ["STOPPED", "cancelled"],
  ["IN_PROGRESS", null],
])("a build %s concludes the check run %p", (status, conclusion) => {
  expect(buildConclusion(status)).toBe(conclusion);
});

const noPhases: BuildSnapshot = { id: "p:1", status: "IN_PROGRESS", startTime: T0, phases: [] };

test.each<[string, BuildSnapshot, string]>([
  ["no phases yet", noPhases, "queued"],
  ["SUBMITTED", runningIn("SUBMITTED"), "queued"],
  ["QUEUED", runningIn("QUEUED"), "queued"],
  ["PROVISIONING", runningIn("PROVISIONING"), "in_progress"],
  ["BUILD", runningIn("BUILD"), "in_progress"],
  ["finished", { ...runningIn("BUILD"), status: "SUCCEEDED", currentPhase: "COMPLETED" }, "completed"],
  ["stopped while queued", { ...runningIn("QUEUED"), status: "STOPPED" }, "completed"],
])("check run status while %s: %s", (_, build, status) => {
  expect(checkStatus(build)).toBe(status);
});
