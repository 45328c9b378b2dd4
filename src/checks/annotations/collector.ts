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
 * A growing log's annotations, collected read by read without keeping the whole log: each new
 * batch is parsed with the last lines before it, and a problem found twice is kept once. The
 * first MAX_ANNOTATIONS_PER_BUILD problems in log order are kept, so annotations only ever grow
 * at their end and a count of those sent is all a sender needs.
 */
export class AnnotationCollector {
  private readonly found: CheckAnnotation[] = [];
  private readonly keys = new Set<string>();
  private readonly sourceRoots = new Set<string>();
  private context: string[] = [];

  /** Lines as read (plain text, masked, cut, one line each); returns how many annotations are known now. */
  add(lines: readonly string[]): number {
    if (lines.length === 0 || this.found.length >= MAX_ANNOTATIONS_PER_BUILD) return this.found.length;
    for (const root of sourceRootsFromLog(lines)) if (this.sourceRoots.size < MAX_SOURCE_ROOTS) this.sourceRoots.add(root);
    const window = [...this.context, ...lines];
    for (const annotation of annotationsFromLog(window, { sourceRoots: [...this.sourceRoots], max: Infinity })) {
      const key = sameProblem(annotation);
      if (this.keys.has(key) || this.found.length >= MAX_ANNOTATIONS_PER_BUILD) continue;
      this.keys.add(key);
      this.found.push(annotation);
    }
    this.context = lastLines(window, ANNOTATION_CONTEXT_LINES, ANNOTATION_CONTEXT_CHARACTERS);
    return this.found.length;
  }

  get all(): readonly CheckAnnotation[] {
    return this.found;
  }
}

/** The last lines, at most `count` of them and `characters` together. */
function lastLines(lines: readonly string[], count: number, characters: number): string[] {
  let first = lines.length;
  let used = 0;
  while (first > 0 && lines.length - first < count && used + lines[first - 1]!.length <= characters) used += lines[--first]!.length;
  return lines.slice(first);
}
