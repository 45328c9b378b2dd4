/**
 * Where replicas say they live (README: "Replicas and their heartbeats"): one item per replica,
 * written every few seconds with the time it lives until. What a replica works on (pending events,
 * running builds) names it, and stays its own while its heartbeat lives; so keeping hold of any
 * amount of work costs one write every few seconds, and a dead replica's work is free once its
 * heartbeat has run out.
 */
export interface HeartbeatStore {
  /** The replica lives until `until` (ms since the epoch). */
  beat(replica: string, until: number): Promise<void>;
  /** Until when the replica said it lives, read consistently; undefined when it has no heartbeat. */
  liveUntil(replica: string): Promise<number | undefined>;
  /** Removes the replica's heartbeat: it stopped, and handed its work back. */
  remove(replica: string): Promise<void>;
  /**
   * Removes every heartbeat that ran out by `now` (replicas that died, AWS Lambda instances gone),
   * unless renewed meanwhile; returns how many.
   */
  purge(now: number): Promise<number>;
}
