import type { BuildLeases, BuildRecord, BuildRecordStore } from "../../builds/record.js";
import type { Trigger } from "../../builds/trigger.js";

/** Build records and their leases in this process's memory: for tests and benchmarks. */
export class MemoryBuildRecordStore implements BuildRecordStore, BuildLeases {
  private readonly records = new Map<string, BuildRecord>();
  private readonly superseded = new Map<string, string>();
  private readonly triggers = new Map<string, Trigger>();
  private readonly leases = new Map<string, { owner: string; until: number }>();

  async put(record: BuildRecord): Promise<void> {
    const { supersededBy: _superseded, lease: _lease, ...rest } = structuredClone(record);
    this.records.set(record.deploymentId, rest);
  }

  async get(deploymentId: string): Promise<BuildRecord | undefined> {
    const record = this.records.get(deploymentId);
    return record && this.withMarks(record);
  }

  async listRunning(): Promise<BuildRecord[]> {
    return [...this.records.values()].filter((r) => !r.completed && r.buildId !== undefined).map((r) => this.withMarks(r));
  }

  async markSuperseded(deploymentId: string, bySha: string): Promise<void> {
    this.superseded.set(deploymentId, bySha);
  }

  async rememberTrigger(deploymentId: string, trigger: Trigger): Promise<void> {
    this.triggers.set(deploymentId, structuredClone(trigger));
  }

  async triggerOf(deploymentId: string): Promise<Trigger | undefined> {
    const trigger = this.records.get(deploymentId)?.trigger ?? this.triggers.get(deploymentId);
    return trigger && structuredClone(trigger);
  }

  async acquire(deploymentId: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    const lease = this.leases.get(deploymentId);
    if (!this.records.has(deploymentId)) return false;
    if (lease && lease.owner !== owner && lease.until > now) return false;
    this.leases.set(deploymentId, { owner, until: now + ttlMs });
    return true;
  }

  async release(deploymentId: string, owner: string): Promise<void> {
    if (this.leases.get(deploymentId)?.owner === owner) this.leases.delete(deploymentId);
  }

  private withMarks(record: BuildRecord): BuildRecord {
    const supersededBy = this.superseded.get(record.deploymentId);
    const lease = this.leases.get(record.deploymentId);
    return { ...structuredClone(record), ...(supersededBy && { supersededBy }), ...(lease && { lease: { ...lease } }) };
  }
}
