import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildDirectory, buildLogFile } from "../../../src/adapters/local/build-files.js";
import { LOCAL_LOG_LINE_MAX_BYTES, LOCAL_LOG_READ_MAX_BYTES, LocalLogSource, LocalLogWriter } from "../../../src/adapters/local/local-logs.js";
import { temporaryDirectory } from "./local-build-fixtures.js";

const ID = "local:3f2a9c1e-0d4b-4e8f-9a61-2b7c5d8e1f00";
const LOCATION = { groupName: "local", streamName: ID };

async function logOfBuild(): Promise<{ dataDir: string; writer: LocalLogWriter; source: LocalLogSource; file: string; tick: (ms: number) => void }> {
  const dataDir = await temporaryDirectory();
  const directory = buildDirectory(dataDir, ID)!;
  await mkdir(directory, { recursive: true });
  let now = 1_700_000_000_000;
  const file = buildLogFile(directory);
  return { dataDir, writer: new LocalLogWriter(file, () => now), source: new LocalLogSource(dataDir), file, tick: (ms) => (now += ms) };
}

/** Waits until what was written has reached the file. */
async function flushed(file: string, text: string): Promise<void> {
  for (let tries = 0; tries < 100 && !(await readFile(file, "utf8").catch(() => "")).includes(text); tries++) await new Promise((r) => setTimeout(r, 5));
}

describe("LocalLogSource and LocalLogWriter", () => {
  test("lines come back once each, stamped when they arrived, a line without its end only when it ends", async () => {
    const { writer, source, file, tick } = await logOfBuild();
    writer.line("[Container] 2025/11/25 14:20:02.641000 Entering phase BUILD");
    tick(1_000);
    writer.output(Buffer.from("first\nsecond\r\npart"));
    await flushed(file, "second");

    const page = await source.read(LOCATION, undefined);
    expect(page).toEqual({
      events: [
        { timestamp: 1_700_000_000_000, message: "[Container] 2025/11/25 14:20:02.641000 Entering phase BUILD\n" },
        { timestamp: 1_700_000_001_000, message: "first\n" },
        { timestamp: 1_700_000_001_000, message: "second\r\n" },
      ],
      cursor: expect.stringMatching(/^\d+$/),
      atEnd: true,
    });
    // Nothing new: the same cursor, at the end.
    await expect(source.read(LOCATION, page.cursor)).resolves.toEqual({ events: [], cursor: page.cursor, atEnd: true });

    tick(1_000);
    writer.output(Buffer.from("ial\tline\n"));
    writer.output(Buffer.from("no end"));
    await writer.close();
    const next = await source.read(LOCATION, page.cursor);
    expect(next.events).toEqual([
      { timestamp: 1_700_000_002_000, message: "partial\tline\n" },
      { timestamp: 1_700_000_002_000, message: "no end\n" },
    ]);
    expect(next.atEnd).toBe(true);
  });

  test("a line longer than CloudWatch's event limit is cut into events", async () => {
    const { writer, source } = await logOfBuild();
    writer.output(Buffer.from(`${"x".repeat(LOCAL_LOG_LINE_MAX_BYTES + 10)}\n`));
    writer.output(Buffer.from("y".repeat(LOCAL_LOG_LINE_MAX_BYTES * 2 + 1)));
    await writer.close();
    const page = await source.read(LOCATION, undefined);
    expect(page.events.map((e) => e.message.length - 1)).toEqual([LOCAL_LOG_LINE_MAX_BYTES, 10, LOCAL_LOG_LINE_MAX_BYTES, LOCAL_LOG_LINE_MAX_BYTES, 1]);
  });

  test("a long line of multi-byte characters is cut between characters, never inside one", async () => {
    const { writer, source } = await logOfBuild();
    const line = "é🚀".repeat(Math.floor(LOCAL_LOG_LINE_MAX_BYTES / 5));
    writer.output(Buffer.from(`${line}\n`));
    writer.output(Buffer.from(line.slice(0, -2)));
    await writer.close();
    const page = await source.read(LOCATION, undefined);
    const text = page.events.map((e) => e.message.replace(/\n$/, "")).join("");
    expect(text).not.toContain("\uFFFD");
    expect(text).toBe(line + line.slice(0, -2));
    expect(page.events.every((e) => Buffer.byteLength(e.message) - 1 <= LOCAL_LOG_LINE_MAX_BYTES)).toBe(true);
  });

  test("a large log is read in pages of at most 1 MiB, never splitting a line", async () => {
    const { writer, source } = await logOfBuild();
    const line = `${"z".repeat(999)}\n`;
    const count = Math.ceil((LOCAL_LOG_READ_MAX_BYTES * 2.5) / line.length);
    for (let i = 0; i < count; i++) writer.output(Buffer.from(line));
    await writer.close();
    let cursor: string | undefined;
    const pages: number[] = [];
    for (;;) {
      const page = await source.read(LOCATION, cursor);
      expect(page.events.every((e) => e.message === line)).toBe(true);
      pages.push(page.events.length);
      cursor = page.cursor;
      if (page.atEnd) break;
    }
    expect(pages.length).toBe(3);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(count);
  });

  test.each([
    ["a build whose log has no file yet", LOCATION],
    ["a group other than the local runner's", { groupName: "/aws/codebuild/project", streamName: ID }],
    ["a stream that is not a local build id", { groupName: "local", streamName: "../../etc" }],
  ])("%s is missing and at its end", async (_case, location) => {
    const dataDir = await temporaryDirectory();
    await expect(new LocalLogSource(dataDir).read(location, "12")).resolves.toEqual({ events: [], cursor: "12", atEnd: true, missing: true });
  });

  test("a cursor that is not a byte offset is an error", async () => {
    const { source } = await logOfBuild();
    await expect(source.read(LOCATION, "f/123/s")).rejects.toThrow('Invalid cursor "f/123/s"');
  });

  test("the log lives in the build's directory under DATA_DIR/builds", async () => {
    const { dataDir, file } = await logOfBuild();
    expect(file).toBe(join(dataDir, "builds", "3f2a9c1e-0d4b-4e8f-9a61-2b7c5d8e1f00", "build.log"));
  });
});
