import type { BuildRecord, BuildRecordStore, BuildWatchers } from "../../ports/build-records.js";
import type { Trigger } from "../../domain/trigger.js";

/** Build records and who watches them, in this process's memory: for tests and benchmarks. */
export class MemoryBuildRecordStore implements BuildRecordStore, BuildWatchers {
  private readonly records = new Map<string, BuildRecord>();
  private readonly superseded = new Map<string, string>();
  private readonly triggers = new Map<string, Trigger>();
  private readonly watchers = new Map<string, string>();

  async put(record: BuildRecord): Promise<void> {
    const { supersededBy: _superseded, watchedBy: _watchedBy, ...rest } = structuredClone(record);
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

  async takeOver(deploymentId: string, from: string | undefined, to: string): Promise<boolean> {
    if (!this.records.has(deploymentId) || this.watchers.get(deploymentId) !== from) return false;
    this.watchers.set(deploymentId, to);
    return true;
  }

  async release(deploymentId: string, replica: string): Promise<void> {
    if (this.watchers.get(deploymentId) === replica) this.watchers.delete(deploymentId);
  }

  private withMarks(record: BuildRecord): BuildRecord {
    const supersededBy = this.superseded.get(record.deploymentId);
    const watchedBy = this.watchers.get(record.deploymentId);
    return { ...structuredClone(record), ...(supersededBy && { supersededBy }), ...(watchedBy && { watchedBy }) };
  }
}
