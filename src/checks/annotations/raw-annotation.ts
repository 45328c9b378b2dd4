import type { CheckAnnotation } from "../annotation.js";

export type AnnotationLevel = CheckAnnotation["annotation_level"];

/** A problem a tool printed in the build's log, located as the tool printed it. */
export interface RawAnnotation {
  /** As printed: absolute, or relative to the directory the tool ran in. */
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  level: AnnotationLevel;
  message: string;
  title?: string;
  /** Index of the log line that located the problem, so annotations keep the log's order. */
  logLine: number;
}

/**
 * One tool's output format. It reads the log's lines as plain text (ANSI escapes already removed,
 * one line per entry) and returns every problem it recognises, whatever file it points to.
 */
export type AnnotationParser = (lines: string[]) => RawAnnotation[];
