import {
  logReadSchedule,
  logReadStep,
  nextLogRead,
  RECENT_OUTPUT_MS,
  type LogReadAction,
  type LogReadCandidate,
  type LogReadObservation,
  type LogReadSchedule,
} from "../../../src/builds/watch/log-read-schedule.js";

const NOW = 1_000_000;
const candidate = (key: string, fields: Partial<LogReadCandidate>): LogReadCandidate => ({ key, running: true, since: NOW, ...fields });

describe("nextLogRead", () => {
  test.each<[string, LogReadCandidate[], string | undefined]>([
    ["nobody waiting", [], undefined],
    ["the one read longest ago", [candidate("a", { lastReadAt: NOW - 1_000 }), candidate("b", { lastReadAt: NOW - 3_000 })], "b"],
    ["never read: counted from when it asked", [candidate("a", { lastReadAt: NOW - 1_000 }), candidate("b", { since: NOW - 2_000 })], "b"],
    ["a tie goes to the earlier candidate", [candidate("a", { lastReadAt: NOW - 1_000 }), candidate("b", { lastReadAt: NOW - 1_000 })], "a"],
    [
      "recent output counts the wait four times",
      [candidate("idle", { lastReadAt: NOW - 3_000 }), candidate("writing", { lastReadAt: NOW - 1_000, lastOutputAt: NOW - 5_000 })],
      "writing",
    ],
    [
      "an idle build that waited four times as long is read first",
      [candidate("idle", { lastReadAt: NOW - 4_001 }), candidate("writing", { lastReadAt: NOW - 1_000, lastOutputAt: NOW - 5_000 })],
      "idle",
    ],
    [
      "output older than RECENT_OUTPUT_MS counts as idle",
      [candidate("idle", { lastReadAt: NOW - 3_000 }), candidate("was", { lastReadAt: NOW - 1_000, lastOutputAt: NOW - RECENT_OUTPUT_MS })],
      "idle",
    ],
    [
      "a finished build draining its tail goes before running ones: its completion waits on that read",
      [candidate("running", { lastReadAt: NOW - 10_000, lastOutputAt: NOW }), candidate("finished", { running: false, lastReadAt: NOW - 1_000 })],
      "finished",
    ],
  ])("%s", (_, candidates, expected) => {
    expect(nextLogRead(candidates, NOW)).toBe(expected);
  });
});

describe("logReadStep: the schedule's decisions, at 5 reads a second with a burst of 2", () => {
  const asked = (...keys: string[]): LogReadObservation => ({ kind: "asked", requests: keys.map((key) => ({ key, priority: { running: true }, at: NOW })) });
  /** Observations at times after NOW (ms), each with what it answered, and the wake-up it left. */
  const play = (script: [number, LogReadObservation][], from: LogReadSchedule = logReadSchedule(5)) => {
    let schedule = from;
    const said: [number, LogReadAction[], number | undefined][] = [];
    for (const [after, observation] of script) {
      const step = logReadStep(schedule, observation, NOW + after);
      schedule = step.schedule;
      said.push([after, step.actions, schedule.wakeAt === undefined ? undefined : schedule.wakeAt - NOW]);
    }
    return said;
  };
  const go = (key: string): LogReadAction => ({ kind: "answer", key, go: true });
  const no = (key: string): LogReadAction => ({ kind: "answer", key, go: false });

  test.each<[string, [number, LogReadObservation][], [number, LogReadAction[], number | undefined][]]>([
    [
      "three ask at once after a quiet moment: two go (the burst), the third at the next 200 ms",
      [
        [0, asked("a", "b", "c")],
        [200, { kind: "woke" }],
      ],
      [
        [0, [go("a"), go("b")], 200],
        [200, [go("c")], undefined],
      ],
    ],
    [
      "a wake-up before its time grants nothing and sets the wake-up again",
      [
        [0, asked("a", "b", "c")],
        [150, { kind: "woke" }],
      ],
      [
        [0, [go("a"), go("b")], 200],
        [150, [], 200],
      ],
    ],
    [
      "throttled: every read pauses half to all of a second the first time, twice that the next",
      [
        [0, asked("a", "b", "c")],
        [10, { kind: "throttled", random: 0.5 }],
        [10, { kind: "throttled", random: 1 }],
      ],
      [
        [0, [go("a"), go("b")], 200],
        [10, [{ kind: "paused", ms: 750 }], 760],
        [10, [{ kind: "paused", ms: 2_000 }], 2_010],
      ],
    ],
    [
      "a read that went through starts the pauses over",
      [
        [0, { kind: "throttled", random: 1 }],
        [0, { kind: "throttled", random: 1 }],
        [0, { kind: "succeeded" }],
        [0, { kind: "throttled", random: 1 }],
      ],
      [
        [0, [{ kind: "paused", ms: 1_000 }], undefined],
        [0, [{ kind: "paused", ms: 2_000 }], undefined],
        [0, [], undefined],
        [0, [{ kind: "paused", ms: 1_000 }], undefined],
      ],
    ],
    [
      "a forgotten build's waiting request is refused",
      [
        [0, asked("a", "b", "c")],
        [0, { kind: "forgotten", key: "c" }],
        [200, { kind: "woke" }],
      ],
      [
        [0, [go("a"), go("b")], 200],
        [0, [no("c")], 200],
        [200, [], undefined],
      ],
    ],
    [
      "stopped: every waiting request is refused, and every later one",
      [
        [0, asked("a", "b", "c", "d")],
        [0, { kind: "stopped" }],
        [500, asked("e")],
      ],
      [
        [0, [go("a"), go("b")], 200],
        [0, [no("c"), no("d")], undefined],
        [500, [no("e")], undefined],
      ],
    ],
  ])("%s", (_, script, expected) => {
    expect(play(script)).toEqual(expected);
  });
});
