import { systemClock, type Clock } from "../../domain/clock.js";
import {
  logReadSchedule,
  logReadStep,
  type LogReadObservation,
  type LogReadPriority,
  type LogReadRequest,
  type LogReadSchedule,
} from "../../builds/watch/log-read-schedule.js";

export interface LogReadBudgetOptions {
  /** LOGS_RPS. */
  ratePerSecond: number;
  burst?: number;
  clock?: Clock;
  /** For the backoff's jitter; tests make it predictable. */
  random?: () => number;
}

/**
 * All CloudWatch log reads of the process go through one budget: a build asks before each
 * GetLogEvents call and waits its turn. The decisions are the schedule's (logReadStep); this shell
 * keeps the answers waiting and the timer.
 */
export class LogReadBudget {
  private schedule: LogReadSchedule;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly answers = new Map<string, { answer: Promise<boolean>; grant(go: boolean): void }>();
  /** Requests of this turn of the event loop: they compete together, not first come first served. */
  private asked: LogReadRequest[] = [];
  private wake: { at: number; cancel(): void } | undefined;

  constructor(options: LogReadBudgetOptions) {
    this.schedule = logReadSchedule(options.ratePerSecond, options.burst);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /**
   * Resolves true when this build may make one GetLogEvents call, false when the budget stopped or
   * the build was forgotten meanwhile. Asking again while waiting updates the priority.
   */
  request(key: string, priority: LogReadPriority): Promise<boolean> {
    if (this.schedule.stopped) return Promise.resolve(false);
    let waiting = this.answers.get(key);
    if (!waiting) {
      let grant!: (go: boolean) => void;
      const answer = new Promise<boolean>((resolve) => (grant = resolve));
      this.answers.set(key, (waiting = { answer, grant }));
    }
    if (this.asked.length === 0) queueMicrotask(() => this.observe({ kind: "asked", requests: this.asked.splice(0) }));
    this.asked.push({ key, priority, at: this.clock.now() });
    return waiting.answer;
  }

  /** The build is no longer followed here: its waiting request gets false and its history goes. */
  forget(key: string): void {
    this.asked = this.asked.filter((request) => request.key !== key);
    this.answers.get(key)?.grant(false);
    this.answers.delete(key);
    this.observe({ kind: "forgotten", key });
  }

  /** CloudWatch answered ThrottlingException: every read pauses, longer each time in a row. Returns the pause. */
  backOff(): number {
    return this.observe({ kind: "throttled", random: this.random() });
  }

  /** A read went through: the next throttling starts from the shortest pause again. */
  succeeded(): void {
    this.observe({ kind: "succeeded" });
  }

  /** Shutdown: every waiting request gets false, and so does every later one. */
  stop(): void {
    this.observe({ kind: "stopped" });
    for (const { grant } of this.answers.values()) grant(false);
    this.answers.clear();
  }

  /** Applies the schedule's step; returns the pause it set, if any. */
  private observe(observation: LogReadObservation): number {
    const { schedule, actions } = logReadStep(this.schedule, observation, this.clock.now());
    this.schedule = schedule;
    let paused = 0;
    for (const action of actions) {
      if (action.kind === "paused") {
        paused = action.ms;
        continue;
      }
      this.answers.get(action.key)?.grant(action.go);
      this.answers.delete(action.key);
    }
    this.setWake(schedule.wakeAt);
    return paused;
  }

  private setWake(at: number | undefined): void {
    if (this.wake?.at === at) return;
    this.wake?.cancel();
    this.wake = undefined;
    if (at === undefined) return;
    const wake = () => {
      // Fired: a wake-up for the same time again (a timer's clock and the wall clock differ by a little) must set a new timer.
      this.wake = undefined;
      this.observe({ kind: "woke" });
    };
    this.wake = { at, cancel: this.clock.setTimer(at - this.clock.now(), wake) };
  }
}
