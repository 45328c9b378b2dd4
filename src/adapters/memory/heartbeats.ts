import type { HeartbeatStore } from "../../ports/heartbeats.js";

/** Heartbeats in this process's memory: for tests and benchmarks. Same rules as the DynamoDB store. */
export class MemoryHeartbeatStore implements HeartbeatStore {
  readonly heartbeats = new Map<string, number>();

  async beat(replica: string, until: number): Promise<void> {
    this.heartbeats.set(replica, until);
  }

  async liveUntil(replica: string): Promise<number | undefined> {
    return this.heartbeats.get(replica);
  }

  async remove(replica: string): Promise<void> {
    this.heartbeats.delete(replica);
  }

  async purge(now: number): Promise<number> {
    const gone = [...this.heartbeats].filter(([, until]) => until <= now);
    for (const [replica] of gone) this.heartbeats.delete(replica);
    return gone.length;
  }
}
