/** Time as the budgets see it: injected, so tests move it by hand instead of sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `wake` after `ms`; the returned function cancels it. */
  setTimer(ms: number, wake: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, wake) {
    const timer = setTimeout(wake, ms);
    return () => clearTimeout(timer);
  },
};

/** The system's clock for background work (heartbeats, sweeps): its timers alone never keep the process up. */
export const backgroundClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, wake) {
    const timer = setTimeout(wake, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
