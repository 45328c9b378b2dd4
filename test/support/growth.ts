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
/** How many times a ratio over the limit is measured before it is believed. */
const MEASUREMENTS = 6;
/** Runs in a row are doubled until the smaller input takes at least this long (ms). */
const MEASURABLE_MS = 5;
const MAX_RUNS = 4096;

function timed(runs: number, work: () => void): number {
  const start = performance.now();
  for (let run = 0; run < runs; run++) work();
  return performance.now() - start;
}

/**
 * How much longer `work(4 * size)` takes than `work(size)`: the two sizes are timed in turn, the
 * quickest of each kept; a ratio over the limit is measured again (up to 6 times) before it is
 * believed, since a burst of other work on the machine can land on one size (test files and other
 * processes share two cores). Work that really grows faster than linearly stays over the limit every time.
 */
export function growthRatio(work: (size: number) => void, size: number): number {
  let runs = 1;
  while (runs < MAX_RUNS && timed(runs, () => work(size)) < MEASURABLE_MS) runs *= 2;
  let best = Infinity;
  for (let attempt = 0; attempt < MEASUREMENTS && best >= LINEAR_RATIO_LIMIT; attempt++) {
    let small = Infinity;
    let large = Infinity;
    for (let sample = 0; sample < SAMPLES; sample++) {
      small = Math.min(
        small,
        timed(runs, () => work(size)),
      );
      large = Math.min(
        large,
        timed(runs, () => work(4 * size)),
      );
    }
    best = Math.min(best, large / small);
  }
  return best;
}

/** `units` repeated until the text is `length` long. */
export function repeatTo(units: readonly string[], length: number): string {
  const unit = units.join("");
  return unit.repeat(Math.ceil(length / Math.max(unit.length, 1))).slice(0, length);
}
