import type { Clock } from "../../src/domain/clock.js";

/** A clock that moves only when a test advances it; timers fire in time order, promises settle between them. */
export class FakeClock implements Clock {
  private time: number;
  private timers: { at: number; order: number; wake: () => void }[] = [];
  private created = 0;

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, wake: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), order: this.created++, wake };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  /** Moves time forward by `ms`, firing every timer due on the way and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (let next = this.earliest(end); next; next = this.earliest(end)) {
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.wake();
      await settle();
    }
    this.time = end;
    await settle();
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  private earliest(end: number) {
    return this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.order - b.order)[0];
  }
}

/** Lets every queued promise continuation run (setImmediate comes after the microtask queue is empty). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
