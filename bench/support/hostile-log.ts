/**
 * A build log written to hurt the app (SPEC 5: build output is hostile input): long lines, floods of
 * terminal escapes, spaces and `::add-mask::` commands, floods of annotations, characters split across
 * events, and secrets printed split by escapes and encoded. Deterministic, so runs compare.
 */

import { LOCAL_LOG_LINE_MAX_BYTES } from "../../src/adapters/local/local-logs.js";

/** CloudWatch takes events of at most 256 KB (PutLogEvents): the log is written in events no larger. */
const EVENT_MAX_BYTES = LOCAL_LOG_LINE_MAX_BYTES;

export interface HostileLog {
  events: string[];
  bytes: number;
  /** Kinds of content and the bytes of each. */
  kinds: Map<string, number>;
}

type Kind = (i: number) => string[];

/** Each kind gives a few events' worth of lines at a time; they are taken in turn until the log is large enough. */
function kinds(secret: string): Record<string, Kind> {
  const half = Math.floor(secret.length / 2);
  const base64 = Buffer.from(secret).toString("base64");
  return {
    "long lines": (i) => [`long line ${i}: ${"lorem ipsum dolor sit amet ".repeat(7_000)}`],
    "OSC floods without an end (\\x1b])": () => ["\x1b]".repeat(30_000)],
    "CSI floods and unfinished CSIs": () => ["\x1b[1;".repeat(15_000), `${"\x1b[31m".repeat(10_000)}red`],
    "runs of spaces and separators": (i) => [`${" ".repeat(60_000)}x`, `  ${i}:1  error${" ".repeat(60_000)}`, `${":1".repeat(30_000)}`],
    "::add-mask:: floods": (i) => Array.from({ length: 2_000 }, (_, j) => `::add-mask::flood-value-${i}-${j}-${"v".repeat(40)}`),
    "annotation floods": (i) =>
      Array.from(
        { length: 1_500 },
        (_, j) =>
          [
            `src/file${j}.ts(${j + 1},5): error TS2322: Type 'string' is not assignable to type 'number'.`,
            `::error file=src/a${i}.ts,line=${j + 1}::broken %25 again ${j}`,
            `/codebuild/output/src1/src/github.com/o/r/src/b.ts:${j + 1}:3: Unexpected any [Error/no-explicit-any]`,
          ][j % 3]!,
      ),
    "multi-byte characters split across events": (i) => [`${"é🚀ü".repeat(20_000)}🚀`.slice(0, -1), `\udd80 continued ${i}`],
    "secrets split by escapes and encoded": (i) =>
      Array.from(
        { length: 500 },
        (_, j) =>
          [
            `split ${secret.slice(0, half)}\x1b[0m${secret.slice(half)} ${i}.${j}`,
            `nul ${secret.slice(0, half)}\x00${secret.slice(half)}`,
            `redraw 0%\r${secret}`,
            `base64 ${base64} json ${JSON.stringify(secret)}`,
          ][j % 4]!,
      ),
  };
}

/** `totalBytes` of hostile log in CloudWatch events, the kinds taking turns. */
export function hostileLog(totalBytes: number, secret: string): HostileLog {
  const makers = Object.entries(kinds(secret));
  const events: string[] = [];
  const byKind = new Map<string, number>();
  let bytes = 0;
  for (let round = 0; bytes < totalBytes; round++) {
    for (const [kind, make] of makers) {
      for (const event of pack(make(round))) {
        const size = Buffer.byteLength(event, "utf8");
        events.push(event);
        bytes += size;
        byKind.set(kind, (byKind.get(kind) ?? 0) + size);
      }
      if (bytes >= totalBytes) break;
    }
  }
  return { events, bytes, kinds: byKind };
}

/** Lines packed into events of at most EVENT_MAX_BYTES (a longer line is cut, as CloudWatch would refuse it). */
function pack(lines: string[]): string[] {
  const events: string[] = [];
  let current: string[] = [];
  let size = 0;
  const flush = () => {
    if (current.length > 0) events.push(current.join(""));
    current = [];
    size = 0;
  };
  for (const line of lines) {
    let text = `${line}\n`;
    // A line longer than an event is cut in pieces by characters, surrogate pairs included: multi-byte splits.
    while (Buffer.byteLength(text, "utf8") > EVENT_MAX_BYTES) {
      flush();
      const piece = text.slice(0, Math.floor(EVENT_MAX_BYTES / 4));
      events.push(piece);
      text = text.slice(piece.length);
    }
    const bytes = Buffer.byteLength(text, "utf8");
    if (size + bytes > EVENT_MAX_BYTES) flush();
    current.push(text);
    size += bytes;
  }
  flush();
  return events;
}
