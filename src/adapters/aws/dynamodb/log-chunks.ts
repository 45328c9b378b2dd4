import { STORED_LINE_MAX_BYTES, type LogChunk } from "../../../ports/build-logs.js";
import type { ItemKey } from "./keys.js";

/** One stored line of a build's log. */
export type LogLine = LogChunk["lines"][number];

/**
 * Text bytes (plus per-line overhead) kept in one chunk item: small enough that a tail reads little,
 * and far under DynamoDB's 400 KB item limit (DynamoDB Developer Guide, "Service quotas: Item size").
 */
export const CHUNK_MAX_BYTES = 64 * 1024;

/**
 * What a line costs in a chunk besides its text: a number of at most 21 bytes and one byte per list
 * element in each of the two lists (DynamoDB Developer Guide, "Item sizes and formats"), rounded up.
 */
export const LINE_OVERHEAD_BYTES = 24;

/** The longest text one stored line holds; a longer line is stored as several. */
export const LINE_MAX_TEXT_BYTES = Math.min(STORED_LINE_MAX_BYTES, CHUNK_MAX_BYTES - LINE_OVERHEAD_BYTES);

export const LOG_CHUNK_PREFIX = "LOG#";

/** Fixed width, so sort keys order chunks by line number. */
const LINE_DIGITS = 10;

/** More lines than a sort key can number; no log comes near. */
export const MAX_LOG_LINES = 10 ** LINE_DIGITS;

/** A build's items (its log chunks among them) share one partition, keyed by its deployment id. */
export function buildKey(deploymentId: string): string {
  return `BUILD#${deploymentId}`;
}

/** The sort key of the chunk whose first line is `firstLine`. */
export function chunkSortKey(firstLine: number): string {
  return LOG_CHUNK_PREFIX + String(firstLine).padStart(LINE_DIGITS, "0");
}

export function chunkKey(deploymentId: string, firstLine: number): ItemKey {
  return { pk: buildKey(deploymentId), sk: chunkSortKey(firstLine) };
}

export interface StoredChunk extends LogChunk {
  /** Who put it, so a writer can recognise its own chunk after a retried put. */
  writer: string;
}

export function chunkEnd(chunk: StoredChunk): number {
  return chunk.firstLine + chunk.lines.length;
}

export function chunkItem(deploymentId: string, chunk: StoredChunk): Record<string, unknown> {
  return {
    ...chunkKey(deploymentId, chunk.firstLine),
    firstLine: chunk.firstLine,
    timestamps: chunk.lines.map((l) => l.timestamp),
    texts: chunk.lines.map((l) => l.text),
    writer: chunk.writer,
  };
}

export function storedChunk(item: Record<string, unknown>): StoredChunk {
  const timestamps = (item.timestamps ?? []) as number[];
  const texts = (item.texts ?? []) as string[];
  return {
    firstLine: Number(item.firstLine),
    lines: texts.map((text, i) => ({ timestamp: Number(timestamps[i] ?? 0), text })),
    writer: String(item.writer ?? ""),
  };
}

/** Lines grouped into chunks of at most CHUNK_MAX_BYTES each, in order; over-long lines split first. */
export function packChunks(lines: readonly LogLine[]): LogLine[][] {
  const chunks: LogLine[][] = [];
  let current: LogLine[] = [];
  let bytes = 0;
  for (const line of lines.flatMap(splitLongLine)) {
    const cost = Buffer.byteLength(line.text, "utf8") + LINE_OVERHEAD_BYTES;
    if (current.length > 0 && bytes + cost > CHUNK_MAX_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A line of more than LINE_MAX_TEXT_BYTES as several lines, cut between characters, never inside one. */
export function splitLongLine(line: LogLine): LogLine[] {
  if (Buffer.byteLength(line.text, "utf8") <= LINE_MAX_TEXT_BYTES) return [line];
  const pieces: LogLine[] = [];
  let piece = "";
  let bytes = 0;
  for (const character of line.text) {
    const size = Buffer.byteLength(character, "utf8");
    if (bytes + size > LINE_MAX_TEXT_BYTES) {
      pieces.push({ timestamp: line.timestamp, text: piece });
      piece = "";
      bytes = 0;
    }
    piece += character;
    bytes += size;
  }
  pieces.push({ timestamp: line.timestamp, text: piece });
  return pieces;
}

/** The first of `lines` whose text together is at most `maxBytes` of UTF-8; at least one line, so a reader always moves on. */
export function linesWithin<T extends { text: string }>(lines: readonly T[], maxBytes: number): T[] {
  let bytes = 0;
  let count = 0;
  while (count < lines.length) {
    bytes += Buffer.byteLength(lines[count]!.text, "utf8");
    if (count > 0 && bytes > maxBytes) break;
    count++;
  }
  return lines.slice(0, count);
}
