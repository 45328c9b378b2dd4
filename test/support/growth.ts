import { performance } from "node:perf_hooks";

/**
 * Linear time, checked by growth and not by a clock limit: the time for an input 4 times larger is
 * compared with the time for the smaller one. Linear work gives about 4; quadratic work 16. Each size
 * is run often enough in a row to be measured, and timed several times with the quickest kept, so a
 * busy machine slows both alike instead of failing the test. Sizes stay those of real input (a log
 * line, a comment, a config file): far larger ones measure the garbage collector, not the parser.
 */
export const LINEAR_RATIO_LIMIT = 9;
const SAMPLES = 5;
/** Runs in a row are doubled until the smaller input takes at least this long (ms). */
const MEASURABLE_MS = 5;
const MAX_RUNS = 4096;

function quickest(runs: number, work: () => void): number {
  let best = Infinity;
  for (let sample = 0; sample < SAMPLES; sample++) {
    const start = performance.now();
    for (let run = 0; run < runs; run++) work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** How much longer `work(4 * size)` takes than `work(size)`. */
export function growthRatio(work: (size: number) => void, size: number): number {
  let runs = 1;
  while (runs < MAX_RUNS && quickest(runs, () => work(size)) < MEASURABLE_MS) runs *= 2;
  const measure = () => quickest(runs, () => work(4 * size)) / quickest(runs, () => work(size));
  // Measured once more before believing a slow ratio: a pause of the machine can land on the larger size.
  const first = measure();
  return first < LINEAR_RATIO_LIMIT ? first : Math.min(first, measure());
}

/** `units` repeated until the text is `length` long. */
export function repeatTo(units: readonly string[], length: number): string {
  const unit = units.join("");
  return unit.repeat(Math.ceil(length / Math.max(unit.length, 1))).slice(0, length);
}
