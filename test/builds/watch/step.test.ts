import type { LogEvent } from "../../../src/builds/build-log.js";
import type { BuildSnapshot } from "../../../src/domain/build.js";
import type { WatchAction } from "../../../src/builds/watch/action.js";
import type { WatchObservation } from "../../../src/builds/watch/observation.js";
import type { CheckRunReport } from "../../../src/builds/watch/report.js";
import { followBuild, type ResumedBuild, type WatchedBuild } from "../../../src/builds/watch/state.js";
import { LOG_GIVE_UP_MS, LOG_GRACE_MS, watchStep } from "../../../src/builds/watch/step.js";
import { MASKING_FULL_LINE } from "../../../src/variables/add-masks.js";
import { buildRecord } from "../../support/build-records.js";
import { FakeClock } from "../../support/fake-clock.js";
import { at, phase, runningIn, T0 } from "../../checks/fixtures.js";

/*
 * The watcher's decisions, read as tables: what the loop tells the step of one build, in order and
 * on a fake clock, and what the step asks for. The loop is played by `Watch` below: it answers
 * what the loop answers at once (stores succeed, GitHub takes every report, a completion is
 * recorded), and leaves log reads to the script.
 */

const INTERVAL_MS = 10_000;
const LOGS = { groupName: "/aws/codebuild/shared-builds", streamName: "0001", s3Only: false };
const NEWER_SHA = "feedc0defeedc0defeedc0defeedc0defeedc0de";

const running = (name: string): BuildSnapshot => ({ ...runningIn(name), logs: LOGS });
const queued = (): BuildSnapshot => ({ ...runningIn("SUBMITTED"), currentPhase: "SUBMITTED", logs: LOGS });
/** Ended `seconds` after T0, its BUILD phase with it. */
const ended = (status: BuildSnapshot["status"], seconds: number): BuildSnapshot => ({
  id: "project:1",
  status,
  currentPhase: "COMPLETED",
  startTime: T0,
  endTime: at(seconds),
  phases: [phase("SUBMITTED", "SUCCEEDED", 0, 1), phase("BUILD", status === "SUCCEEDED" ? "SUCCEEDED" : status, 1, seconds)],
  logs: LOGS,
});

const events = (...lines: string[]): LogEvent[] => lines.map((line) => ({ timestamp: T0.getTime(), message: `${line}\n` }));

/** One line of a script: an observation, or the clock moved on (ms). */
type Line = WatchObservation | { wait: number };

const round: WatchObservation = { kind: "round" };
const reported = (snapshot: BuildSnapshot): WatchObservation => ({ kind: "reported", snapshot });
const page = (cursor: string, ...lines: string[]): WatchObservation => ({ kind: "logRead", events: events(...lines), cursor, atEnd: true });
const wait = (ms: number): Line => ({ wait: ms });

/** A build followed from T0, played through a script; what the step asked for, in words. */
class Watch {
  readonly clock = new FakeClock(T0.getTime());
  readonly did: string[] = [];
  readonly actions: WatchAction[] = [];
  readonly reports: CheckRunReport[] = [];

  /** Whether GitHub takes every report at once, or they wait their turn (and the test says how they went). */
  github: "takes" | "waits" = "takes";

  constructor(public build: WatchedBuild) {}

  static of(record = buildRecord({ snapshot: undefined }), resumed: ResumedBuild = { addMasks: { values: [], full: false }, tail: [] }): Watch {
    return new Watch(followBuild(record, resumed, { updateIntervalMs: INTERVAL_MS, logUrl: "https://app.test/builds/b1" }));
  }

  async play(script: Line[]): Promise<this> {
    for (const line of script) {
      if ("wait" in line) await this.clock.advance(line.wait);
      else this.see(line);
    }
    return this;
  }

  see(observation: WatchObservation): void {
    const { build, actions } = watchStep(this.build, observation, this.clock.now());
    this.build = build;
    for (const action of actions) {
      this.actions.push(action);
      this.did.push(said(action));
      for (const answer of this.answers(action)) this.see(answer);
    }
  }

  private answers(action: WatchAction): WatchObservation[] {
    switch (action.kind) {
      case "storeLog":
        return [{ kind: "logStored", lines: action.lines.length, cursor: action.cursor, atEnd: action.atEnd }];
      case "updateCheckRun":
      case "completeCheckRun":
        this.reports.push(action.report);
        return this.github === "takes" ? [{ kind: "reportSent", report: action.report }] : [];
      case "recordCompletion":
        return [{ kind: "completionRecorded" }];
      default:
        return [];
    }
  }
}

/** An action in words; stores of the record are left out unless `records`. */
function said(action: WatchAction): string {
  switch (action.kind) {
    case "storeRecord":
      return `store record (${action.record.status}, cursor ${action.record.logCursor ?? "none"})`;
    case "storeLog":
      return `store ${action.lines.length} line(s)`;
    case "readLog":
      return `read log from ${action.cursor ?? "the start"}`;
    case "updateCheckRun":
      return `report ${action.report.state.status}: ${action.report.output.title}`;
    case "completeCheckRun":
      return `complete ${action.report.conclusion}: ${action.report.output.title}`;
    case "recordCompletion":
      return `record completed ${action.record.status}`;
    case "reportDeployment":
      return `deployment ${action.status.state}${action.final ? " (final)" : ""}`;
    case "stopFollowing":
      return `stop following (${action.reason})`;
  }
}

const withoutRecords = (did: string[]) => did.filter((line) => !line.startsWith("store record"));

describe("watchStep: a build followed from its first report to its completion", () => {
  test.each<[string, Line[], string[]]>([
    [
      "phases progressing: each new phase reported at once; new output in a phase waits the interval",
      [
        reported(queued()),
        round,
        wait(1_000),
        reported(running("PROVISIONING")),
        round,
        page("c1", "provisioning"),
        wait(1_000),
        reported(running("BUILD")),
        round,
        page("c2", "npm test"),
        wait(2_000),
        round,
        page("c3", "test 1 passed"),
        wait(INTERVAL_MS),
        round,
      ],
      [
        "read log from the start",
        "report queued: Queued",
        "report in_progress: Starting",
        "store 1 line(s)",
        "read log from c1",
        "report in_progress: Building — BUILD phase",
        "store 1 line(s)",
        "read log from c2",
        "store 1 line(s)",
        "read log from c3",
        "report in_progress: Building — BUILD phase",
      ],
    ],
    [
      "late logs after the build ended: read on for the grace period, then the completion carries them",
      [
        reported(running("BUILD")),
        round,
        page("c1", "npm test"),
        wait(1_000),
        reported(ended("SUCCEEDED", 60)),
        round,
        page("c2"),
        wait(2_000),
        round,
        page("c3", "late line"),
        wait(LOG_GRACE_MS),
        round,
        page("c3"),
      ],
      [
        "read log from the start",
        "report in_progress: Building — BUILD phase",
        "store 1 line(s)",
        "read log from c1",
        "store 0 line(s)",
        "read log from c2",
        "store 1 line(s)",
        "read log from c3",
        "store 0 line(s)",
        "complete success: Build succeeded in 1m 0s",
        "record completed SUCCEEDED",
        "stop following (completed)",
      ],
    ],
    [
      "the completion is the first report: a build first seen ended reports nothing before its completion",
      [wait(90_000), reported(ended("FAILED", 90)), round, page("c1", "error: boom"), wait(LOG_GRACE_MS), round, page("c1")],
      [
        "read log from the start",
        "store 1 line(s)",
        "read log from c1",
        "store 0 line(s)",
        "complete failure: Build failed in BUILD after 1m 30s",
        "record completed FAILED",
        "stop following (completed)",
      ],
    ],
    [
      "a build first seen long after it ended, past the give-up time: completed at once from what is stored",
      [wait(10 * 60_000), reported(ended("FAILED", 90)), round],
      ["complete failure: Build failed in BUILD after 1m 30s", "record completed FAILED", "stop following (completed)"],
    ],
    [
      "a log that cannot be read to the end: the run completes at the give-up time",
      [wait(30_000), reported(ended("SUCCEEDED", 30)), round, wait(LOG_GIVE_UP_MS), round, { kind: "logUnread" }, round],
      ["read log from the start", "complete success: Build succeeded in 30s", "record completed SUCCEEDED", "stop following (completed)"],
    ],
    [
      "superseded: the stop completes the run titled with the newer commit",
      [reported(running("BUILD")), { kind: "superseded", by: NEWER_SHA }, wait(20_000 + LOG_GRACE_MS), reported(ended("STOPPED", 20)), round, page("c1")],
      [
        "read log from the start",
        "store 0 line(s)",
        "complete cancelled: Cancelled — superseded by feedc0d",
        "record completed STOPPED",
        "stop following (completed)",
      ],
    ],
    [
      "taken over by another replica: nothing more is done for the build here, whatever comes late",
      [reported(running("BUILD")), round, { kind: "heldElsewhere" }, page("c1", "late"), round, reported(ended("SUCCEEDED", 20))],
      ["read log from the start", "report in_progress: Building — BUILD phase", "stop following (heldElsewhere)"],
    ],
    [
      "a long wait in CodeBuild's queue: the title says so once it has waited long, at the next interval",
      [reported(queued()), round, page("c1"), wait(60_000), round, page("c1"), wait(70_000), round],
      [
        "read log from the start",
        "report queued: Queued",
        "store 0 line(s)",
        "read log from c1",
        "report queued: Queued",
        "store 0 line(s)",
        "read log from c1",
        "report queued: Queued in CodeBuild for 2m — the account's concurrent-build limit?",
      ],
    ],
  ])("%s", async (_, script, expected) => {
    const watch = await Watch.of().play(script);
    expect(withoutRecords(watch.did)).toEqual(expected);
  });

  test("the late line is in the completion's excerpt", async () => {
    const watch = await Watch.of().play([
      reported(ended("SUCCEEDED", 60)),
      round,
      page("c1", "early"),
      wait(3_000),
      round,
      page("c2", "late line"),
      wait(LOG_GRACE_MS),
      round,
      page("c2"),
    ]);
    const completion = watch.reports.at(-1)!;
    expect(completion.state).toMatchObject({ status: "completed", conclusion: "success" });
    expect(completion.output.text).toMatch(/early\nlate line/);
  });

  test("the cursor is kept with the record only once the page's lines are stored", async () => {
    const watch = Watch.of();
    await watch.play([reported(running("BUILD")), round]);
    const { build, actions } = watchStep(watch.build, page("c1", "a line"), watch.clock.now());
    expect(actions.map((a) => a.kind)).toEqual(["storeLog"]);
    expect(build.record.logCursor).toBeUndefined();
    const stored = watchStep(build, { kind: "logStored", lines: 1, cursor: "c1", atEnd: true }, watch.clock.now());
    expect(stored.actions[0]).toMatchObject({ kind: "storeRecord", record: { logCursor: "c1" } });
    expect(stored.build.record.logCursor).toBe("c1");
  });

  test("lines that could not be stored are read again from the same cursor", async () => {
    const watch = await Watch.of().play([reported(running("BUILD")), round]);
    watch.build = watchStep(watch.build, page("c1", "a line"), watch.clock.now()).build;
    watch.see({ kind: "logUnread" });
    watch.see(round);
    expect(watch.did.at(-1)).toBe("read log from the start");
  });

  test("a page that is not the end is followed by the next read at once; reads of one build never overlap", async () => {
    const watch = await Watch.of().play([reported(running("BUILD")), round, round, { kind: "logRead", events: events("one"), cursor: "c1", atEnd: false }]);
    expect(withoutRecords(watch.did).filter((line) => line.startsWith("read"))).toEqual(["read log from the start", "read log from c1"]);
  });

  test("a report GitHub refused goes again at the next round, without waiting the interval", async () => {
    const watch = Watch.of();
    watch.github = "waits";
    await watch.play([reported(running("BUILD")), round, wait(100), round]);
    expect(watch.reports).toHaveLength(1);
    await watch.play([{ kind: "reportFailed", report: watch.reports[0]! }, wait(100), round]);
    expect(withoutRecords(watch.did).filter((line) => line.startsWith("report"))).toEqual([
      "report in_progress: Building — BUILD phase",
      "report in_progress: Building — BUILD phase",
    ]);
  });

  test("progress waiting its turn: no more progress is handed over (the port takes the freshest when its turn comes), a completion is at once", async () => {
    const watch = Watch.of();
    watch.github = "waits";
    await watch.play([reported(running("PROVISIONING")), round, page("c1", "one"), wait(INTERVAL_MS), reported(running("BUILD")), round, page("c2", "two")]);
    expect(watch.reports.map((r) => r.output.title)).toEqual(["Starting"]);
    await watch.play([wait(20_000), reported(ended("SUCCEEDED", 40)), wait(LOG_GIVE_UP_MS), { kind: "tick" }]);
    expect(watch.reports.map((r) => r.state.status)).toEqual(["in_progress", "completed"]);
    // The waiting progress went after all, before the completion: nothing new is handed over for it.
    watch.see({ kind: "reportSent", report: watch.reports[0]! });
    watch.see({ kind: "tick" });
    expect(watch.reports).toHaveLength(2);
  });

  test("a completion waiting its turn is not claimed again; one that failed is", async () => {
    const watch = Watch.of();
    watch.see(reported(ended("SUCCEEDED", 30)));
    await watch.clock.advance(LOG_GIVE_UP_MS);
    const claimed = watchStep(watch.build, { kind: "tick" }, watch.clock.now());
    expect(claimed.actions.map((a) => a.kind)).toEqual(["completeCheckRun"]);
    expect(watchStep(claimed.build, { kind: "tick" }, watch.clock.now()).actions).toEqual([]);
    const failed = watchStep(claimed.build, { kind: "reportFailed", report: (claimed.actions[0] as { report: CheckRunReport }).report }, watch.clock.now());
    expect(watchStep(failed.build, { kind: "tick" }, watch.clock.now()).actions.map((a) => a.kind)).toEqual(["completeCheckRun"]);
  });

  test("a completion that could not be recorded is recorded again at the next round, and only then is the build let go", async () => {
    const watch = Watch.of();
    watch.see(reported(ended("SUCCEEDED", 30)));
    await watch.clock.advance(LOG_GIVE_UP_MS);
    let { build, actions } = watchStep(watch.build, { kind: "tick" }, watch.clock.now());
    ({ build, actions } = watchStep(build, { kind: "reportSent", report: (actions[0] as { report: CheckRunReport }).report }, watch.clock.now()));
    expect(actions.map((a) => a.kind)).toEqual(["recordCompletion"]);
    ({ build } = watchStep(build, { kind: "completionUnrecorded" }, watch.clock.now()));
    ({ build, actions } = watchStep(build, round, watch.clock.now()));
    expect(actions.map((a) => a.kind)).toEqual(["recordCompletion"]);
    ({ build, actions } = watchStep(build, { kind: "completionRecorded" }, watch.clock.now()));
    expect(actions).toEqual([{ kind: "stopFollowing", reason: "completed" }]);
    expect(build.stopped).toBe(true);
  });

  test("progress sent after a completion was claimed does not make the completion due again", async () => {
    const watch = await Watch.of().play([reported(running("BUILD"))]);
    const progress = watchStep(watch.build, { kind: "tick" }, watch.clock.now());
    const report = (progress.actions[0] as { report: CheckRunReport }).report;
    await watch.clock.advance(LOG_GIVE_UP_MS);
    const ended60 = watchStep(progress.build, reported(ended("SUCCEEDED", 0)), watch.clock.now());
    const completion = watchStep(ended60.build, { kind: "tick" }, watch.clock.now());
    expect(completion.actions.map((a) => a.kind)).toEqual(["completeCheckRun"]);
    const late = watchStep(completion.build, { kind: "reportSent", report }, watch.clock.now());
    expect(watchStep(late.build, { kind: "tick" }, watch.clock.now()).actions).toEqual([]);
  });
});

describe("watchStep: resumed from a stored record", () => {
  test("reading goes on from the stored cursor, and the excerpt starts with the stored lines", async () => {
    const record = buildRecord({ snapshot: undefined, logCursor: "c7" });
    const watch = await Watch.of(record, { addMasks: { values: [], full: false }, tail: ["stored line 1", "stored line 2"] }).play([
      reported(running("BUILD")),
      round,
      page("c8", "new line"),
    ]);
    expect(withoutRecords(watch.did)).toEqual(["read log from c7", "report in_progress: Building — BUILD phase", "store 1 line(s)"]);
    expect(watch.build.record.logCursor).toBe("c8");
    expect(watch.build.tail).toEqual(["stored line 1", "stored line 2", "new line"]);
  });

  test("a build that ended before the takeover completes after one grace period counted from its end, not from the takeover", async () => {
    const record = buildRecord({ snapshot: undefined, logCursor: "c7" });
    const watch = Watch.of(record, { addMasks: { values: [], full: false }, tail: [] });
    await watch.clock.advance(60_000 + LOG_GRACE_MS);
    await watch.play([reported(ended("SUCCEEDED", 60)), round, page("c7")]);
    expect(withoutRecords(watch.did)).toEqual([
      "read log from c7",
      "store 0 line(s)",
      "complete success: Build succeeded in 1m 0s",
      "record completed SUCCEEDED",
      "stop following (completed)",
    ]);
  });
});

describe("watchStep: masking", () => {
  test("::add-mask:: values hide the build's text at once, and are kept with the record so the next pass hides them from its first line", async () => {
    const first = await Watch.of().play([
      reported(running("BUILD")),
      round,
      page("c1", "before own-value-1234", "::add-mask::own-value-1234", "using own-value-1234"),
    ]);
    const stored = first.actions.find((a) => a.kind === "storeLog");
    expect(stored && stored.kind === "storeLog" && stored.lines.map((l) => l.text)).toEqual(["before ***", "::add-mask::***", "using ***"]);
    const kept = first.actions.filter((a) => a.kind === "storeRecord").at(-1);
    expect(kept && kept.kind === "storeRecord" && kept.addMasks).toEqual({ values: ["own-value-1234"], full: false });

    // Another pass (a Lambda invocation, another replica) opens what the record kept.
    const next = await Watch.of(buildRecord({ snapshot: undefined, logCursor: "c1" }), {
      addMasks: { values: ["own-value-1234"], full: false },
      tail: [],
    }).play([reported(running("BUILD")), round, page("c2", "again own-value-1234", `base64 ${Buffer.from("own-value-1234").toString("base64")}`)]);
    const again = next.actions.find((a) => a.kind === "storeLog");
    expect(again && again.kind === "storeLog" && again.lines.map((l) => l.text)).toEqual(["again ***", "base64 ***"]);
  });

  test("secret values learnt in a round mask phase messages and the reports' final text; the report carries the mask, the port applies it", async () => {
    const failed: BuildSnapshot = { ...ended("FAILED", 30), phases: [phase("BUILD", "FAILED", 1, 30, ["login with hunter2-S3cret failed"])] };
    const watch = await Watch.of().play([{ kind: "secrets", values: ["hunter2-S3cret"] }, reported(failed), wait(LOG_GIVE_UP_MS), round]);
    const recorded = watch.actions.find((a) => a.kind === "storeRecord");
    expect(recorded && recorded.kind === "storeRecord" && recorded.record.snapshot?.phases[0]?.messages).toEqual(["login with *** failed"]);
    const completion = watch.reports.at(-1)!;
    expect(completion.mask.mask("token hunter2-S3cret")).toBe("token ***");
  });

  test("masking that became full says so once in the log and in the summary", async () => {
    const values = Array.from({ length: 101 }, (_, i) => `::add-mask::value-number-${i}`);
    const watch = await Watch.of().play([reported(running("BUILD")), round, page("c1", ...values), wait(INTERVAL_MS), round, page("c2")]);
    const stored = watch.actions.flatMap((a) => (a.kind === "storeLog" ? a.lines.map((l) => l.text) : []));
    expect(stored.filter((line) => line === MASKING_FULL_LINE)).toHaveLength(1);
    expect(watch.build.masking.addMasks.full).toBe(true);
    expect(watch.reports.at(-1)!.output.summary).toMatch(/mask/i);
  });
});

describe("watchStep: a build's GitHub deployment (SPEC 10)", () => {
  const deployed = (overrides: Parameters<typeof buildRecord>[0] = {}) =>
    buildRecord({ snapshot: undefined, deployment: { id: 9, environment: "production" }, ...overrides });
  const deployments = (watch: Watch) =>
    watch.did.filter((line) => line.startsWith("deployment") || line.startsWith("record completed") || line.startsWith("complete "));

  test("in_progress once as the build starts (queued went when it was made); its end before the completion is recorded", async () => {
    const watch = await Watch.of(deployed()).play([
      reported(queued()),
      round,
      reported(running("PROVISIONING")),
      reported(running("BUILD")),
      round,
      wait(1_000),
      reported({ ...ended("SUCCEEDED", 60), exportedVariables: [{ name: "DEPLOY_URL", value: "https://www.example.com" }] }),
      round,
      page("c1"),
      wait(LOG_GRACE_MS),
      round,
      page("c1"),
    ]);
    expect(deployments(watch)).toEqual([
      "deployment in_progress",
      "complete success: Build succeeded in 1m 0s",
      "deployment success (final)",
      "record completed SUCCEEDED",
    ]);
    const final = watch.actions.find((a) => a.kind === "reportDeployment" && a.final);
    expect(final).toMatchObject({ deployment: { id: 9 }, status: { state: "success", environmentUrl: "https://www.example.com/" } });
  });

  test("a superseded build's deployment ends inactive, naming the newer commit", async () => {
    const watch = await Watch.of(deployed()).play([
      reported(running("BUILD")),
      { kind: "superseded", by: NEWER_SHA },
      reported(ended("STOPPED", 20)),
      wait(LOG_GIVE_UP_MS),
      round,
      { kind: "logUnread" },
      round,
    ]);
    expect(
      watch.actions.filter((a) => a.kind === "reportDeployment").map((a) => a.kind === "reportDeployment" && [a.status.state, a.status.description, a.final]),
    ).toEqual([
      ["in_progress", "Building", false],
      ["inactive", "Superseded by feedc0d", true],
    ]);
  });

  test("a completion recorded again after it failed does not send the deployment's end again", async () => {
    const watch = await Watch.of(deployed()).play([wait(10 * 60_000), reported(ended("FAILED", 90))]);
    // Where the first recording left it: the end went, the record did not.
    const unrecorded: WatchedBuild = { ...watch.build, deploymentState: "failure", checkRun: { ...watch.build.checkRun, completion: "unrecorded" } };
    expect(watchStep(unrecorded, round, watch.clock.now()).actions.map((a) => a.kind)).toEqual(["recordCompletion"]);
    // And one that has not sent it yet does, first.
    const unsent: WatchedBuild = { ...unrecorded, deploymentState: "in_progress" };
    expect(watchStep(unsent, round, watch.clock.now()).actions.map((a) => a.kind)).toEqual(["reportDeployment", "recordCompletion"]);
  });

  test("a build without a deployment asks for none", async () => {
    const watch = await Watch.of().play([reported(running("BUILD")), round, wait(10 * 60_000), reported(ended("SUCCEEDED", 60)), round]);
    expect(watch.actions.some((a) => a.kind === "reportDeployment")).toBe(false);
  });
});
