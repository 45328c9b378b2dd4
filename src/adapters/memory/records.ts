import type { BuildRecord, BuildRecordStore } from "../../builds/record.js";

/** Build records in this process's memory. */
export class MemoryBuildRecordStore implements BuildRecordStore {
  private readonly records = new Map<string, BuildRecord>();

  async put(record: BuildRecord): Promise<void> {
    this.records.set(record.deploymentId, structuredClone(record));
  }

  async get(deploymentId: string): Promise<BuildRecord | undefined> {
    const record = this.records.get(deploymentId);
    return record && structuredClone(record);
  }

  async listRunning(): Promise<BuildRecord[]> {
    return [...this.records.values()].filter((r) => !r.completed && r.buildId !== undefined).map((r) => structuredClone(r));
  }
}
