import { linesWithin } from "../../src/adapters/aws/dynamodb/log-chunks.js";
import type { BuildLogStore, LogChunk } from "../../src/ports/build-logs.js";

type LogLine = LogChunk["lines"][number];

/** Builds' stored logs in memory, with every page read recorded. */
export class MemoryBuildLogStore implements BuildLogStore {
  private readonly logs = new Map<string, LogLine[]>();
  readonly pageReads: { deploymentId: string; from: number; limit: number }[] = [];

  async append(deploymentId: string, lines: readonly LogLine[]): Promise<number> {
    const log = this.logs.get(deploymentId) ?? [];
    log.push(...structuredClone(lines));
    this.logs.set(deploymentId, log);
    return log.length;
  }

  /** Appends lines of text as stored lines, a second apart from `start`. */
  async appendText(deploymentId: string, texts: string[], start = Date.parse("2024-05-01T12:00:00Z")): Promise<number> {
    const stored = this.logs.get(deploymentId)?.length ?? 0;
    return this.append(
      deploymentId,
      texts.map((text, i) => ({ timestamp: start + (stored + i) * 1000, text })),
    );
  }

  async tail(deploymentId: string, count: number): Promise<string[]> {
    return count <= 0 ? [] : (this.logs.get(deploymentId) ?? []).slice(-count).map((line) => line.text);
  }

  async page(deploymentId: string, from: number, limit: number, maxBytes = Infinity): Promise<{ lines: LogLine[]; next: number }> {
    this.pageReads.push({ deploymentId, from, limit });
    const lines = linesWithin((this.logs.get(deploymentId) ?? []).slice(from, from + limit), maxBytes);
    return { lines: structuredClone(lines), next: from + lines.length };
  }
}
