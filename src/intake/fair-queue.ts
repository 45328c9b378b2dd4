import { AsyncLocalStorage } from "node:async_hooks";

export interface FairQueueOptions {
  /** Work that runs at once, all lines together. */
  slots: number;
  /** Work of one line started at once (running, or stepped aside), so one line never fills every slot. */
  perLine: number;
}

interface Task {
  id: string;
  line: number;
  run: () => Promise<void>;
}

/** Where a started task stands with its slot. */
interface Started {
  holding: boolean;
  /** Calls of stepAside under way. */
  aside: number;
  finished: boolean;
}

/**
 * Work queued per line (an installation) and started in turn, one line after the other (round
 * robin), under a global cap of slots: a burst in one line never makes another wait behind it.
 * A task that waits for something of its own line (its installation's GitHub write budget) steps
 * aside and holds no slot meanwhile, so a busy line's waiting never holds up the others.
 */
export class FairQueue {
  private readonly lines = new Map<number, { waiting: Task[]; started: number }>();
  /** Lines with work waiting, in the order they get their next turn. */
  private turns: number[] = [];
  private readonly ids = new Set<string>();
  private holding = 0;
  /** Tasks back from stepping aside, waiting for a slot: they go before new work. */
  private readonly returning: { task: Started; resolve: () => void }[] = [];
  private idle: (() => void)[] = [];
  private readonly current = new AsyncLocalStorage<Started>();

  constructor(private readonly options: FairQueueOptions) {}

  /** Queues `run` in `line`'s turn; false when a task of this id is queued or running already. */
  add(line: number, id: string, run: () => Promise<void>): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    let queue = this.lines.get(line);
    if (!queue) this.lines.set(line, (queue = { waiting: [], started: 0 }));
    if (queue.waiting.length === 0) this.turns.push(line);
    queue.waiting.push({ id, line, run });
    this.pump();
    return true;
  }

  /** Whether a task of this id is queued or running. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Takes every task not started yet out of the queue (SIGTERM); returns their ids. */
  removeWaiting(): string[] {
    const removed: string[] = [];
    for (const [line, queue] of this.lines) {
      for (const task of queue.waiting.splice(0)) {
        this.ids.delete(task.id);
        removed.push(task.id);
      }
      if (queue.started === 0) this.lines.delete(line);
    }
    this.turns = [];
    this.wakeIfIdle();
    return removed;
  }

  /** Resolves once nothing waits and nothing runs. */
  drained(): Promise<void> {
    if (this.ids.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Runs `waiting` with the calling task's slot given up, and takes a slot back (before any new
   * task) once it settled. Called outside a task, it only runs `waiting`.
   */
  async stepAside<T>(waiting: () => Promise<T>): Promise<T> {
    const task = this.current.getStore();
    if (!task) return waiting();
    task.aside++;
    if (task.holding) {
      task.holding = false;
      this.holding--;
      this.pump();
    }
    try {
      return await waiting();
    } finally {
      task.aside--;
      if (task.aside === 0 && !task.finished) await this.takeSlotBack(task);
    }
  }

  private takeSlotBack(task: Started): Promise<void> {
    return new Promise((resolve) => {
      this.returning.push({ task, resolve });
      this.pump();
    });
  }

  private pump(): void {
    while (this.holding < this.options.slots) {
      const back = this.returning.shift();
      if (back) {
        // A task that ended meanwhile (it did not wait for what it stepped aside for) needs no slot.
        if (!back.task.finished) {
          back.task.holding = true;
          this.holding++;
        }
        back.resolve();
        continue;
      }
      const task = this.nextInTurn();
      if (!task) return;
      this.start(task);
    }
  }

  /** The first task of the next line in turn that may start one more; that line goes to the back. */
  private nextInTurn(): Task | undefined {
    const at = this.turns.findIndex((line) => this.lines.get(line)!.started < this.options.perLine);
    if (at < 0) return undefined;
    const line = this.turns[at]!;
    const queue = this.lines.get(line)!;
    this.turns.splice(at, 1);
    const task = queue.waiting.shift()!;
    if (queue.waiting.length > 0) this.turns.push(line);
    return task;
  }

  private start(task: Task): void {
    const queue = this.lines.get(task.line)!;
    const state: Started = { holding: true, aside: 0, finished: false };
    queue.started++;
    this.holding++;
    void this.current
      .run(state, () => task.run())
      .catch(() => undefined)
      .finally(() => {
        state.finished = true;
        if (state.holding) this.holding--;
        queue.started--;
        if (queue.started === 0 && queue.waiting.length === 0) this.lines.delete(task.line);
        this.ids.delete(task.id);
        this.pump();
        this.wakeIfIdle();
      });
  }

  private wakeIfIdle(): void {
    if (this.ids.size > 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
