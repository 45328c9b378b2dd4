import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { BuildLogStore } from "../../../ports/build-logs.js";
import { createDocumentClient, type AppTable } from "./client.js";
import {
  buildKey,
  CHUNK_MAX_BYTES,
  chunkEnd,
  chunkItem,
  chunkKey,
  chunkSortKey,
  LOG_CHUNK_PREFIX,
  MAX_LOG_LINES,
  linesWithin,
  packChunks,
  storedChunk,
  type LogLine,
  type StoredChunk,
} from "./log-chunks.js";
import { queryAll } from "./query.js";
import { isConditionFailure, retryOnConflict } from "./retry.js";

/**
 * Builds' masked logs in the app's DynamoDB table (docs/operations.md: "Storage: the DynamoDB table"): items
 * `pk=BUILD#<deploymentId>`, `sk=LOG#<first line, 10 digits>`, each a chunk of consecutive lines.
 * A chunk is only ever put where the log ends and only if no item is there yet, so chunks tile the
 * log from line 0 without gaps or overlaps and the last chunk says where the log ends: two writers
 * cannot overwrite each other's lines, and readers need no other item.
 */
export class DynamoDbBuildLogStore implements BuildLogStore {
  private readonly table: AppTable;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = { documents: createDocumentClient(client), name: tableName };
  }

  /**
   * Lines as given (masked by the caller), except that one longer than a chunk is stored as several.
   * Each chunk is put at the end the writer last saw; when another writer got there first, it goes
   * after theirs, so two appends at once may alternate chunk by chunk, never line by line.
   */
  async append(deploymentId: string, lines: readonly LogLine[]): Promise<number> {
    let end = await this.end(deploymentId);
    for (const chunkLines of packChunks(lines)) {
      end = await retryOnConflict(`Appending to the log of build ${deploymentId}`, async () => {
        if (await this.putChunk(deploymentId, { firstLine: end, lines: chunkLines, writer: newWriterId() })) return end + chunkLines.length;
        end = await this.end(deploymentId);
        return undefined;
      });
    }
    return end;
  }

  async tail(deploymentId: string, count: number): Promise<string[]> {
    if (count <= 0) return [];
    const last = await this.lastChunk(deploymentId);
    if (!last) return [];
    const from = Math.max(0, chunkEnd(last) - count);
    const before = from < last.firstLine ? (await this.page(deploymentId, from, last.firstLine - from)).lines : [];
    return [...before, ...last.lines.slice(Math.max(0, from - last.firstLine))].map((l) => l.text);
  }

  /**
   * Reads the chunk holding `from`, then only the chunks that start before `from + limit`, and no more
   * of them than `maxBytes` of text can fill.
   */
  async page(deploymentId: string, from: number, limit: number, maxBytes = Infinity): Promise<{ lines: LogLine[]; next: number }> {
    if (!Number.isInteger(from) || from < 0) throw new RangeError(`A log page starts at a line number (0 or more), not ${from}`);
    const count = Math.min(limit, MAX_LOG_LINES - from);
    if (count <= 0) return { lines: [], next: from };
    const first = await this.chunkHolding(deploymentId, from);
    if (!first || chunkEnd(first) <= from) return { lines: [], next: from };
    const chunksWanted = Math.ceil(maxBytes / CHUNK_MAX_BYTES) + 1;
    const rest = chunkEnd(first) < from + count ? await this.chunksStartingIn(deploymentId, chunkEnd(first), from + count - 1, chunksWanted) : [];
    const offset = from - first.firstLine;
    const lines = linesWithin([first, ...rest].flatMap((c) => c.lines).slice(offset, offset + count), maxBytes);
    return { lines, next: from + lines.length };
  }

  /** The number of lines stored: where the last chunk ends. */
  private async end(deploymentId: string): Promise<number> {
    const last = await this.lastChunk(deploymentId);
    return last ? chunkEnd(last) : 0;
  }

  /**
   * Puts a chunk unless its place is taken; false when another writer's chunk is there. A put whose
   * answer was lost and that the SDK sent again fails its condition on our own chunk: that is success.
   */
  private async putChunk(deploymentId: string, chunk: StoredChunk): Promise<boolean> {
    try {
      await this.table.documents.send(
        new PutCommand({ TableName: this.table.name, Item: chunkItem(deploymentId, chunk), ConditionExpression: "attribute_not_exists(pk)" }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await this.table.documents.send(
        new GetCommand({ TableName: this.table.name, Key: chunkKey(deploymentId, chunk.firstLine), ProjectionExpression: "writer", ConsistentRead: true }),
      );
      return out.Item?.writer === chunk.writer;
    }
  }

  private async lastChunk(deploymentId: string): Promise<StoredChunk | undefined> {
    const [item] = await queryAll(
      this.table,
      {
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": buildKey(deploymentId), ":prefix": LOG_CHUNK_PREFIX },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      1,
    );
    return item && storedChunk(item);
  }

  /** The chunk with the greatest first line not after `line` (it holds `line` unless the log ends before). */
  private async chunkHolding(deploymentId: string, line: number): Promise<StoredChunk | undefined> {
    const [item] = await queryAll(
      this.table,
      {
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :first AND :line",
        ExpressionAttributeValues: { ":pk": buildKey(deploymentId), ":first": chunkSortKey(0), ":line": chunkSortKey(line) },
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      1,
    );
    return item && storedChunk(item);
  }

  /** The chunks whose first line is between `from` and `to` (inclusive), in order. */
  private async chunksStartingIn(deploymentId: string, from: number, to: number, max: number): Promise<StoredChunk[]> {
    const items = await queryAll(
      this.table,
      {
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": buildKey(deploymentId), ":from": chunkSortKey(from), ":to": chunkSortKey(to) },
        ConsistentRead: true,
      },
      max,
    );
    return items.map(storedChunk);
  }
}

/** Tells one put of a chunk from any other, including another by the same process. */
function newWriterId(): string {
  return randomBytes(8).toString("hex");
}
