import type { Logger } from "pino";
import { backgroundClock, type Clock } from "../domain/clock.js";
import type { HeartbeatStore } from "../ports/heartbeats.js";
import { holdingOf, type Liveness } from "./holding.js";

/** Beats per lease: a replica is taken for dead only after missing this many heartbeats in a row. */
const BEATS_PER_LEASE = 3;
/** How often heartbeats that ran out are deleted (replicas that died, AWS Lambda instances gone). */
const PURGE_EVERY_MS = 3_600_000;

export interface ReplicaOptions {
  heartbeats: HeartbeatStore;
  /** This process's name on the work it holds: unique per process, so a restarted process is another replica. */
  id: string;
  /** LEASE_DURATION_MS: how long a heartbeat lasts. */
  leaseMs: number;
  clock?: Clock;
  log: Pick<Logger, "warn">;
}

/**
 * This process among the replicas sharing the table: it writes its heartbeat every third of a
 * lease, and knows until when the replicas holding other work live, reading a heartbeat again only
 * once the one it read has run out.
 */
export class Replica {
  readonly id: string;
  /** How often the heartbeat is written; also how often the others' work is looked at. */
  readonly beatEveryMs: number;
  private readonly clock: Clock;
  private readonly others = new Map<string, number>();
  private lastBeatAt = -Infinity;
  private purgedAt = -Infinity;
  private beating: Promise<void> | undefined;
  private cancelNextBeat: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: ReplicaOptions) {
    this.id = options.id;
    this.clock = options.clock ?? backgroundClock;
    this.beatEveryMs = Math.max(1, Math.floor(options.leaseMs / BEATS_PER_LEASE));
  }

  /**
   * Writes the heartbeat now (unless it just was) and every third of a lease, until `stop`: at a
   * steady pace, so a slow write does not put the next one off.
   */
  start(): void {
    if (this.cancelNextBeat || this.stopped) return;
    const next = () => {
      if (this.stopped) return;
      this.cancelNextBeat = this.clock.setTimer(this.beatEveryMs, () => {
        next();
        void this.beat().catch(() => undefined);
      });
    };
    if (this.clock.now() - this.lastBeatAt >= this.beatEveryMs) void this.beat().catch(() => undefined);
    next();
  }

  /** Writes the heartbeat (overlapping calls share one write); a failure is logged and thrown. */
  beat(): Promise<void> {
    this.beating ??= this.writeHeartbeat().finally(() => (this.beating = undefined));
    return this.beating;
  }

  /**
   * Makes sure the heartbeat has a good part of its lease left before work is taken (a Lambda
   * instance thawed after a while has not beaten meanwhile), and keeps it beating.
   */
  async alive(): Promise<void> {
    if (this.clock.now() - this.lastBeatAt >= 2 * this.beatEveryMs) await this.beat();
    this.start();
  }

  /** The other replicas whose heartbeat is known to live now. */
  knownLive(): string[] {
    const now = this.clock.now();
    return [...this.others].flatMap(([replica, until]) => (until > now ? [replica] : []));
  }

  /**
   * Calls `then` as soon as one of `holders` is found gone: when the first of their heartbeats
   * known to live runs out, those are read again (a read each), and if one was not renewed, `then`
   * runs; otherwise it waits for the next to run out. The returned function cancels it.
   */
  whenGone(holders: Iterable<string>, then: () => void): () => void {
    const watched = [...new Set(holders)].filter((holder) => holder !== this.id);
    let cancel: (() => void) | undefined;
    const arm = () => {
      const now = this.clock.now();
      const ends = watched.flatMap((holder) => {
        const until = this.others.get(holder);
        return until !== undefined && until > now ? [until] : [];
      });
      if (ends.length === 0 || this.stopped) return;
      cancel = this.clock.setTimer(Math.max(1, Math.min(...ends) - now), () => {
        void this.liveness(watched).then((liveness) => {
          const now = this.clock.now();
          if (watched.some((holder) => holdingOf(holder, this.id, liveness, now) === "free")) then();
          else arm();
        }, arm);
      });
    };
    arm();
    return () => {
      watched.length = 0;
      cancel?.();
    };
  }

  /** Until when the holders named live, for `holdingOf`: heartbeats not known to live now are read again (one read per holder). */
  async liveness(holders: Iterable<string | undefined>): Promise<Liveness> {
    const now = this.clock.now();
    const unsure = new Set<string>();
    for (const holder of holders) if (holder !== undefined && holder !== this.id && !((this.others.get(holder) ?? -Infinity) > now)) unsure.add(holder);
    await Promise.all([...unsure].map((holder) => this.read(holder, now)));
    return new Map(this.others);
  }

  /** SIGTERM, once the work is handed back: no more heartbeats, and the last one removed, so nobody waits for it to run out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelNextBeat?.();
    await this.beating?.catch(() => undefined);
    await this.options.heartbeats.remove(this.id);
  }

  private async writeHeartbeat(): Promise<void> {
    // A stopped replica's heartbeat is gone for good: a late beat would make it look alive again.
    if (this.stopped) return;
    const now = this.clock.now();
    try {
      await this.options.heartbeats.beat(this.id, now + this.options.leaseMs);
      this.lastBeatAt = now;
    } catch (err) {
      this.options.log.warn({ err }, "writing this replica's heartbeat failed; other replicas take its work over if it stays silent for LEASE_DURATION_MS");
      throw err;
    }
    if (now - this.purgedAt >= PURGE_EVERY_MS) {
      this.purgedAt = now;
      void this.options.heartbeats
        .purge(now)
        .catch((err: unknown) => this.options.log.warn({ err }, "deleting heartbeats that ran out failed; trying again in an hour"));
    }
  }

  private async read(holder: string, now: number): Promise<void> {
    const until = await this.options.heartbeats.liveUntil(holder);
    if (until !== undefined && until > now) this.others.set(holder, until);
    else this.others.delete(holder);
  }
}
