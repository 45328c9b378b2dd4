import { createWriteStream, type WriteStream } from "node:fs";
import { open } from "node:fs/promises";
import type { LogEvent, LogLocation, LogPage, LogSource } from "../../ports/build-logs.js";
import { buildDirectory, buildLogFile } from "./build-files.js";
import { LOCAL_LOG_GROUP } from "./build-state.js";

/** The most one read returns, as CloudWatch's GetLogEvents (API reference: 1 MB); the next read goes on. */
export const LOCAL_LOG_READ_MAX_BYTES = 1024 * 1024;
/** Longer output lines are cut into events of this size, as CloudWatch caps an event at 256 KB (PutLogEvents). */
export const LOCAL_LOG_LINE_MAX_BYTES = 256 * 1024 - 26;

const NEWLINE = 0x0a;

/**
 * A local build's log: one line per event, `<epoch ms>\t<text>\n`, appended only in whole lines.
 * The cursor is the byte offset of the next line to read, so nothing is read twice.
 */
export class LocalLogSource implements LogSource {
  constructor(private readonly dataDir: string) {}

  async read(location: LogLocation, cursor: string | undefined): Promise<LogPage> {
    const directory = location.groupName === LOCAL_LOG_GROUP ? buildDirectory(this.dataDir, location.streamName) : undefined;
    if (directory === undefined) return { events: [], cursor, atEnd: true, missing: true };
    const from = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(from) || from < 0)
      throw new Error(`Invalid cursor ${JSON.stringify(cursor)} for the log of ${location.streamName}: expected a byte offset`);
    let file;
    try {
      file = await open(buildLogFile(directory), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { events: [], cursor, atEnd: true, missing: true };
      throw error;
    }
    try {
      const size = (await file.stat()).size;
      const buffer = Buffer.alloc(Math.min(LOCAL_LOG_READ_MAX_BYTES, Math.max(0, size - from)));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, from);
      const complete = buffer.subarray(0, buffer.lastIndexOf(NEWLINE, bytesRead - 1) + 1);
      const next = from + complete.length;
      return { events: parseLines(complete), cursor: String(next), atEnd: next >= size };
    } finally {
      await file.close();
    }
  }
}

/** Appends a build's output to its log file line by line, each line stamped with when it arrived. */
export class LocalLogWriter {
  private readonly stream: WriteStream;
  private pending = Buffer.alloc(0);

  constructor(
    file: string,
    private readonly now: () => number,
  ) {
    this.stream = createWriteStream(file, { flags: "a" });
  }

  /** Lines of the runner's own (the `[Container]` lines), written while the build's shell is not running. */
  line(text: string): void {
    for (const line of text.split("\n")) this.write(Buffer.from(line));
  }

  /** Output of the build: whole lines go out now, the rest waits for its line end. */
  output(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    for (let end = data.indexOf(NEWLINE); end >= 0; end = data.indexOf(NEWLINE)) {
      this.write(data.subarray(0, end));
      data = data.subarray(end + 1);
    }
    while (data.length > LOCAL_LOG_LINE_MAX_BYTES) {
      const end = characterBoundary(data, LOCAL_LOG_LINE_MAX_BYTES, 1);
      this.write(data.subarray(0, end));
      data = data.subarray(end);
    }
    this.pending = Buffer.from(data);
  }

  /** Writes out a last line without its line end, and closes the file. */
  async close(): Promise<void> {
    if (this.pending.length > 0) this.write(this.pending);
    this.pending = Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  /** One event per LOCAL_LOG_LINE_MAX_BYTES, cut between characters: a character split in two would show as two U+FFFD. */
  private write(line: Buffer): void {
    let start = 0;
    do {
      const end = characterBoundary(line, start + LOCAL_LOG_LINE_MAX_BYTES, start + 1);
      this.stream.write(`${this.now()}\t${line.subarray(start, end).toString("utf8")}\n`);
      start = end;
    } while (start < line.length);
  }
}

/** The nearest offset at or before `at` (not before `least`) that does not split a UTF-8 character; the end when `at` is past it. */
function characterBoundary(bytes: Buffer, at: number, least: number): number {
  let end = Math.min(bytes.length, at);
  // Continuation bytes (10xxxxxx) belong to the character before them.
  while (end < bytes.length && end > least && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return end;
}

function parseLines(data: Buffer): LogEvent[] {
  const events: LogEvent[] = [];
  for (let start = 0; start < data.length;) {
    const end = data.indexOf(NEWLINE, start);
    const line = data.subarray(start, end).toString("utf8");
    const tab = line.indexOf("\t");
    events.push({ timestamp: Number(line.slice(0, tab)), message: `${line.slice(tab + 1)}\n` });
    start = end + 1;
  }
  return events;
}
