import type { AnnotationLevel, RawAnnotation } from "./raw-annotation.js";

/*
 * Regular expressions over build output (SPEC 5: linear time; lines arrive cut): anchored at the start;
 * the lazy file name is retried only at `(` or `:`, each retry reading a few digits; with `s`, `(.*)$`
 * always reaches the end, so no retry backtracks over the message.
 */
/** tsc's plain style (the default when its output is not a terminal): `src/a.ts(4,9): error TS2322: …`. */
const PLAIN = /^(\S.*?)\((\d+),(\d+)\): (error|warning) TS(\d+): (.*)$/s;
/** tsc's `--pretty` style, once colours are removed: `src/a.ts:4:9 - error TS2322: …`. */
const PRETTY = /^(\S.*?):(\d+):(\d+) - (error|warning) TS(\d+): (.*)$/s;
/** tsc indents the rest of a message chain under its first line by two spaces a level, in both styles. */
const CONTINUATION = /^(?: {2})+\S/;

const LEVELS: Record<string, AnnotationLevel> = { error: "failure", warning: "warning" };

/**
 * TypeScript's diagnostics in both of tsc's styles. Related locations ("'x' is declared here") are
 * indented under a diagnostic, so they are not taken for diagnostics of their own.
 */
export function parseTypeScriptDiagnostics(lines: string[]): RawAnnotation[] {
  return lines.flatMap((line, logLine) => {
    const match = PLAIN.exec(line) ?? PRETTY.exec(line);
    if (!match) return [];
    const [, file = "", row = "", column = "", level = "", code = "", first = ""] = match;
    return [
      {
        file,
        line: Number(row),
        column: Number(column),
        level: LEVELS[level] ?? "failure",
        message: [first, ...continuation(lines, logLine + 1)].join("\n"),
        title: `TS${code}`,
        logLine,
      },
    ];
  });
}

/**
 * The indented lines from `start` on: the rest of a TypeScript message chain. Next.js prints the
 * same chains, followed by a code frame that `stop` recognises.
 */
export function continuation(lines: string[], start: number, stop?: RegExp): string[] {
  const rest: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (!CONTINUATION.test(line) || stop?.test(line)) break;
    rest.push(line.trimEnd());
  }
  return rest;
}
