/** A log line the benchmark wrote, numbered in its build's log. */
export interface WrittenLine {
  seq: number;
  at: number;
}

/** A check-run update as GitHub received it: when, and the newest log line its text shows. */
export interface ShownUpdate {
  at: number;
  lastSeq: number;
}

/** Every line the benchmark writes carries this marker, so an update's text tells which lines it shows. */
export function lineMarker(buildTag: string, seq: number): string {
  return `bench-${buildTag}-line-${seq}`;
}

const MARKER = /bench-[a-z0-9]+-line-(\d+)/g;

/** The newest line an update's `output.text` shows; -1 when it shows none. */
export function lastLineShown(text: string | undefined): number {
  let last = -1;
  for (const match of (text ?? "").matchAll(MARKER)) last = Math.max(last, Number(match[1]));
  return last;
}

/**
 * How long each line waited to be seen on GitHub: until the first update showing it or a later
 * line (a line may scroll out of the excerpt before an update shows it verbatim); undefined for a
 * line no update showed. `updates` in the order they were sent.
 */
export function lineFreshness(lines: readonly WrittenLine[], updates: readonly ShownUpdate[]): (number | undefined)[] {
  // The newest line shown so far only grows, so both lists are walked once, lines in order.
  const shownBy: { at: number; lastSeq: number }[] = [];
  let newest = -1;
  for (const update of updates) {
    if (update.lastSeq <= newest) continue;
    newest = update.lastSeq;
    shownBy.push({ at: update.at, lastSeq: newest });
  }
  const sorted = lines.map((line, index) => ({ line, index })).sort((a, b) => a.line.seq - b.line.seq);
  const result: (number | undefined)[] = new Array(lines.length).fill(undefined);
  let u = 0;
  for (const { line, index } of sorted) {
    while (u < shownBy.length && shownBy[u]!.lastSeq < line.seq) u++;
    if (u < shownBy.length) result[index] = shownBy[u]!.at - line.at;
  }
  return result;
}

/** The nearest-rank percentile (0 < p ≤ 100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
