import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbBuildLogStore } from "../../../src/adapters/aws/dynamodb/build-logs.js";
import {
  CHUNK_MAX_BYTES,
  chunkSortKey,
  LINE_MAX_TEXT_BYTES,
  LINE_OVERHEAD_BYTES,
  packChunks,
  splitLongLine,
  type LogLine,
} from "../../../src/adapters/aws/dynamodb/log-chunks.js";
import { dynaliteClient } from "../../support/dynalite.js";
import { startStore, TABLE_NAME, type StoreFixture } from "./fixture.js";

const T0 = 1_700_000_000_000;
/** Lines whose text is `bytes` long, numbered from `from`, so every line is told apart. */
const lines = (count: number, from = 0, bytes = 40): LogLine[] =>
  Array.from({ length: count }, (_, i) => {
    const label = `line ${from + i} `;
    return { timestamp: T0 + from + i, text: label + "x".repeat(Math.max(0, bytes - label.length)) };
  });
const texts = (list: LogLine[]) => list.map((l) => l.text);
const chunkBytes = (chunk: LogLine[]) => chunk.reduce((sum, l) => sum + Buffer.byteLength(l.text, "utf8") + LINE_OVERHEAD_BYTES, 0);

describe("packing lines into chunks", () => {
  test.each([
    ["no lines", [], []],
    ["one short line", [{ timestamp: 1, text: "a" }], [1]],
    ["lines that fill a chunk exactly, then one more", lines(65, 0, 1024 - LINE_OVERHEAD_BYTES), [64, 1]],
    ["empty lines", Array.from({ length: 3000 }, () => ({ timestamp: 1, text: "" })), [2730, 270]],
  ])("%s", (_case, input, sizes) => {
    const chunks = packChunks(input);
    expect(chunks.map((c) => c.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(input);
    for (const chunk of chunks) expect(chunkBytes(chunk)).toBeLessThanOrEqual(CHUNK_MAX_BYTES);
  });

  test.each([
    ["ASCII", "x".repeat(LINE_MAX_TEXT_BYTES * 2 + 5)],
    ["characters of 2, 3 and 4 bytes", "é値😀".repeat(20_000)],
    ["a 4-byte character across the cut", "x".repeat(LINE_MAX_TEXT_BYTES - 1) + "😀" + "y"],
  ])("an over-long line of %s is split between characters into lines a chunk can hold", (_case, text) => {
    const pieces = splitLongLine({ timestamp: 7, text });
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((p) => p.text).join("")).toBe(text);
    for (const piece of pieces) {
      expect(piece.timestamp).toBe(7);
      expect(Buffer.byteLength(piece.text, "utf8")).toBeLessThanOrEqual(LINE_MAX_TEXT_BYTES);
      expect(piece.text).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
  });

  test("a line that fits is kept whole", () => {
    const line = { timestamp: 1, text: "x".repeat(LINE_MAX_TEXT_BYTES) };
    expect(splitLongLine(line)).toEqual([line]);
  });

  test.each([
    [0, "LOG#0000000000"],
    [64, "LOG#0000000064"],
    [1_234_567_890, "LOG#1234567890"],
  ])("the chunk starting at line %i sorts as %s", (line, key) => {
    expect(chunkSortKey(line)).toBe(key);
  });
});

let f: StoreFixture;
let store: DynamoDbBuildLogStore;
const clients: DynamoDBClient[] = [];
beforeAll(async () => {
  f = await startStore();
  store = new DynamoDbBuildLogStore(f.dynalite.client, TABLE_NAME);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await f.dynalite.stop();
});

/** A store on its own connection, as another replica has, and what it asked DynamoDB. */
function replica(): { store: DynamoDbBuildLogStore; client: DynamoDBClient; reads: { queries: number; items: number } } {
  const client = dynaliteClient(f.dynalite.endpoint);
  clients.push(client);
  const reads = { queries: 0, items: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === "QueryCommand") {
        reads.queries++;
        reads.items += (out.output as { Items?: unknown[] }).Items?.length ?? 0;
      }
      return out;
    },
    { step: "initialize" },
  );
  return { store: new DynamoDbBuildLogStore(client, TABLE_NAME), client, reads };
}

async function readAll(id: string, pageSize = 10_000): Promise<LogLine[]> {
  const all: LogLine[] = [];
  for (let from = 0; ;) {
    const { lines: page, next } = await store.page(id, from, pageSize);
    if (page.length === 0) return all;
    expect(next).toBe(from + page.length);
    all.push(...page);
    from = next;
  }
}

/** The log's chunk items, in order. */
async function chunkItems(id: string): Promise<Record<string, unknown>[]> {
  return (await f.scan()).filter((i) => i.pk === `BUILD#${id}` && String(i.sk).startsWith("LOG#")).sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
}

describe("an empty log", () => {
  test("has no tail and no pages, and appending nothing writes nothing", async () => {
    await expect(store.tail("empty", 50)).resolves.toEqual([]);
    await expect(store.page("empty", 0, 10)).resolves.toEqual({ lines: [], next: 0 });
    await expect(store.page("empty", 5, 10)).resolves.toEqual({ lines: [], next: 5 });
    await expect(store.append("empty", [])).resolves.toBe(0);
    expect(await chunkItems("empty")).toEqual([]);
  });
});

describe("a log appended in several calls", () => {
  const ID = "boundaries";
  // 1 KiB a line with its overhead: 64 lines fill a chunk.
  const line = (n: number, from: number) => lines(n, from, 1024 - LINE_OVERHEAD_BYTES);
  const all = [...line(100, 0), ...line(1, 100), ...line(150, 101)];

  beforeAll(async () => {
    await expect(store.append(ID, all.slice(0, 100))).resolves.toBe(100);
    await expect(store.append(ID, all.slice(100, 101))).resolves.toBe(101);
    await expect(store.append(ID, all.slice(101))).resolves.toBe(251);
  });

  test("is stored in chunks keyed by their first line, each within the size bound", async () => {
    const items = await chunkItems(ID);
    expect(items.map((i) => i.sk)).toEqual([0, 64, 100, 101, 165, 229].map(chunkSortKey));
    expect(items.map((i) => i.firstLine)).toEqual([0, 64, 100, 101, 165, 229]);
    expect(await readAll(ID)).toEqual(all);
  });

  const froms = [0, 1, 63, 64, 65, 99, 100, 101, 102, 164, 165, 228, 229, 250, 251, 252, 400];
  const limits = [1, 2, 35, 36, 37, 64, 65, 128, 1000];
  test.each(froms.flatMap((from) => limits.map((limit) => [from, limit])))("page(%i, %i) is exact", async (from, limit) => {
    const expected = all.slice(from, from + limit);
    await expect(store.page(ID, from, limit)).resolves.toEqual({ lines: expected, next: from + expected.length });
  });

  test.each([0, 1, 21, 22, 23, 86, 150, 151, 152, 187, 250, 251, 252, 1000])("tail(%i) is exact", async (count) => {
    await expect(store.tail(ID, count)).resolves.toEqual(count === 0 ? [] : texts(all.slice(-count)));
  });

  test.each([Number.MAX_SAFE_INTEGER, Infinity])("a page of at most %d lines is the whole log from its start", async (limit) => {
    await expect(store.page(ID, 100, limit)).resolves.toEqual({ lines: all.slice(100), next: all.length });
  });

  test("a page of no lines, and a page from a line that is not a line number", async () => {
    await expect(store.page(ID, 10, 0)).resolves.toEqual({ lines: [], next: 10 });
    await expect(store.page(ID, -1, 10)).rejects.toBeInstanceOf(RangeError);
  });
});

describe("a 5 MB log", () => {
  const ID = "five-megabytes";
  const all = lines(50_000, 0, 100);

  beforeAll(async () => {
    for (let i = 0; i < all.length; i += 10_000) await store.append(ID, all.slice(i, i + 10_000));
  }, 60_000);

  test("is stored whole, in many chunks each under the bound", async () => {
    expect(all.reduce((sum, l) => sum + Buffer.byteLength(l.text), 0)).toBeGreaterThanOrEqual(5_000_000);
    const items = await chunkItems(ID);
    expect(items.length).toBeGreaterThan(70);
    for (const item of items) {
      const chunk = (item.texts as string[]).map((text) => ({ timestamp: 0, text }));
      expect(chunkBytes(chunk)).toBeLessThanOrEqual(CHUNK_MAX_BYTES);
    }
    expect(await readAll(ID)).toEqual(all);
  });

  test.each([1, 50, 500])("tail(%i) reads only the last chunk or two", async (count) => {
    const { store: reader, reads } = replica();
    await expect(reader.tail(ID, count)).resolves.toEqual(texts(all.slice(-count)));
    expect(reads.items).toBeGreaterThan(0);
    expect(reads.items).toBeLessThanOrEqual(2);
    expect(reads.queries).toBeLessThanOrEqual(2);
  });

  test("a page from the middle reads only the chunks that hold it", async () => {
    const { store: reader, reads } = replica();
    await expect(reader.page(ID, 25_000, 100)).resolves.toEqual({ lines: all.slice(25_000, 25_100), next: 25_100 });
    expect(reads.items).toBeGreaterThan(0);
    expect(reads.items).toBeLessThanOrEqual(2);
    expect(reads.queries).toBeLessThanOrEqual(2);
  });
});

describe("unicode", () => {
  const ID = "unicode";
  const unicode: LogLine[] = [
    "✓ Compiled successfully — 値 ключ värde",
    "😀🚀 𝄞 emoji and astral characters",
    "עברית وعربي right to left",
    "e\u0301 combining, \u200d zero-width joiner, \ufeff BOM",
    "",
    "\u001b[32mgreen\u001b[0m and a tab\there",
    "null \u0000 inside",
  ].map((text, i) => ({ timestamp: T0 + i, text }));
  // 490 KB: more than a DynamoDB item holds.
  const longLine = { timestamp: T0 + 100, text: "値😀".repeat(70_000) };

  test("lines come back exactly as given, an over-long one as pieces that join to it", async () => {
    await store.append(ID, unicode);
    const count = await store.append(ID, [longLine]);
    const stored = await readAll(ID);
    expect(stored.slice(0, unicode.length)).toEqual(unicode);
    expect(count).toBe(stored.length);
    expect(stored.length).toBeGreaterThan(unicode.length + 1);
    expect(texts(stored.slice(unicode.length)).join("")).toBe(longLine.text);
    await expect(store.tail(ID, stored.length)).resolves.toEqual(texts(stored));
  });
});

describe("two writers appending at once", () => {
  /** Each writer's lines, in the order it appended them, and where they were stored. */
  function expectEveryLineOnceInOrder(stored: LogLine[], writers: LogLine[][]): void {
    expect(stored).toHaveLength(writers.flat().length);
    expect(new Set(texts(stored)).size).toBe(stored.length);
    for (const written of writers) {
      const mine = new Set(texts(written));
      expect(texts(stored.filter((l) => mine.has(l.text)))).toEqual(texts(written));
    }
  }

  const writerLines = (name: string, count: number, bytes = 40) => lines(count, 0, bytes).map((l) => ({ ...l, text: `${name} ${l.text}` }));

  test("many small appends: every line exactly once, each writer's in order", async () => {
    const ID = "concurrent-small";
    const a = writerLines("A", 200);
    const b = writerLines("B", 200);
    const run = async (writer: DynamoDbBuildLogStore, mine: LogLine[]) => {
      const counts: number[] = [];
      for (let i = 0; i < mine.length; i += 5) counts.push(await writer.append(ID, mine.slice(i, i + 5)));
      return counts;
    };
    const [countsA, countsB] = await Promise.all([run(replica().store, a), run(replica().store, b)]);
    for (const counts of [countsA, countsB]) expect(counts).toEqual([...counts].sort((x, y) => x - y));
    expectEveryLineOnceInOrder(await readAll(ID), [a, b]);
  }, 60_000);

  test("appends of several chunks each: every line once, each writer's in order, no chunk mixed", async () => {
    const ID = "concurrent-large";
    const a = writerLines("A", 3000, 100);
    const b = writerLines("B", 3000, 100);
    await Promise.all([
      (async (w) => {
        for (let i = 0; i < a.length; i += 1000) await w.append(ID, a.slice(i, i + 1000));
      })(replica().store),
      (async (w) => {
        for (let i = 0; i < b.length; i += 1000) await w.append(ID, b.slice(i, i + 1000));
      })(replica().store),
    ]);
    const stored = await readAll(ID);
    expectEveryLineOnceInOrder(stored, [a, b]);
    for (const item of await chunkItems(ID)) expect(new Set((item.texts as string[]).map((t) => t[0])).size).toBe(1);
  }, 60_000);

  test("a writer overtaken between reading the end and putting its chunk puts it after the other's", async () => {
    const ID = "overtaken";
    await store.append(ID, writerLines("first", 3));
    const slow = replica();
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrive: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    let armed = true;
    slow.client.middlewareStack.add(
      (next) => async (args) => {
        const target = (args.request as { headers?: Record<string, string> }).headers?.["x-amz-target"];
        if (armed && target === "DynamoDB_20120810.PutItem") {
          armed = false;
          arrive();
          await released;
        }
        return next(args);
      },
      { step: "build" },
    );
    const slowAppend = slow.store.append(ID, writerLines("slow", 2));
    await arrived;
    await expect(store.append(ID, writerLines("fast", 4))).resolves.toBe(7);
    release();
    await expect(slowAppend).resolves.toBe(9);
    expect(texts(await readAll(ID))).toEqual(texts([...writerLines("first", 3), ...writerLines("fast", 4), ...writerLines("slow", 2)]));
  });

  test("a put the SDK sent twice (its first answer lost) is not taken for another writer's, so nothing is written twice", async () => {
    const ID = "sent-twice";
    const twice = replica();
    let armed = true;
    twice.client.middlewareStack.add(
      (next) => async (args) => {
        const target = (args.request as { headers?: Record<string, string> }).headers?.["x-amz-target"];
        if (armed && target === "DynamoDB_20120810.PutItem") {
          armed = false;
          await next(args);
        }
        return next(args);
      },
      { step: "finalizeRequest" },
    );
    await expect(twice.store.append(ID, lines(3))).resolves.toBe(3);
    expect(armed).toBe(false);
    expect(await readAll(ID)).toEqual(lines(3));
  });
});
