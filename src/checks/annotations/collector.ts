import type { CheckAnnotation } from "../annotation.js";
import { annotationsFromLog, MAX_ANNOTATIONS_PER_BUILD, MAX_SOURCE_ROOTS, sameProblem } from "./index.js";
import { sourceRootsFromLog } from "./repository-path.js";

/**
 * Lines of context kept from earlier reads: a problem is sometimes printed under a header
 * line (ESLint's file name, `next build`'s location) that came in an earlier read.
 */
export const ANNOTATION_CONTEXT_LINES = 200;
/** …and at most this many characters of them, so long lines cannot make the context large. */
export const ANNOTATION_CONTEXT_CHARACTERS = 64 * 1024;

/**
 * A growing log's annotations, collected read by read without keeping the whole log. The first
 * MAX_ANNOTATIONS_PER_BUILD problems in log order are kept, so annotations only ever grow at their
 * end and a count of those sent is all a sender needs.
 */
export interface CollectedAnnotations {
  readonly all: readonly CheckAnnotation[];
  /** `sameProblem` of each, so a problem found twice is kept once. */
  readonly keys: ReadonlySet<string>;
  readonly sourceRoots: readonly string[];
  /** The last lines read: the next batch is parsed with them. */
  readonly context: readonly string[];
}

export const NO_ANNOTATIONS: CollectedAnnotations = { all: [], keys: new Set(), sourceRoots: [], context: [] };

/** The annotations known once `lines` (as read: plain text, masked, cut, one line each) are read after `collected`. */
export function collectAnnotations(collected: CollectedAnnotations, lines: readonly string[]): CollectedAnnotations {
  if (lines.length === 0 || collected.all.length >= MAX_ANNOTATIONS_PER_BUILD) return collected;
  const sourceRoots = [...collected.sourceRoots];
  for (const root of sourceRootsFromLog(lines)) if (sourceRoots.length < MAX_SOURCE_ROOTS && !sourceRoots.includes(root)) sourceRoots.push(root);
  const window = [...collected.context, ...lines];
  const all = [...collected.all];
  const keys = new Set(collected.keys);
  for (const annotation of annotationsFromLog(window, { sourceRoots, max: Infinity })) {
    const key = sameProblem(annotation);
    if (keys.has(key) || all.length >= MAX_ANNOTATIONS_PER_BUILD) continue;
    keys.add(key);
    all.push(annotation);
  }
  return { all, keys, sourceRoots, context: lastLines(window, ANNOTATION_CONTEXT_LINES, ANNOTATION_CONTEXT_CHARACTERS) };
}

/** The last lines, at most `count` of them and `characters` together. */
function lastLines(lines: readonly string[], count: number, characters: number): string[] {
  let first = lines.length;
  let used = 0;
  while (first > 0 && lines.length - first < count && used + lines[first - 1]!.length <= characters) used += lines[--first]!.length;
  return lines.slice(first);
}
