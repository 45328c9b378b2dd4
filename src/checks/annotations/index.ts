import { CHECK_ANNOTATIONS_PER_REQUEST, type CheckAnnotation } from "../annotation.js";
import { cutLogLine, eventLines, plainLogLine } from "../terminal.js";
import { toCheckAnnotation } from "./check-annotation.js";
import { parseEslintOutput } from "./eslint.js";
import { parseNextBuildOutput } from "./nextjs.js";
import type { AnnotationLevel, AnnotationParser } from "./raw-annotation.js";
import { repositoryPath, sourceRootsFromLog } from "./repository-path.js";
import { parseTypeScriptDiagnostics } from "./typescript.js";
import { parseWorkflowCommands } from "./workflow-commands.js";

/** SPEC 5: "at most 200 annotations per build". */
export const MAX_ANNOTATIONS_PER_BUILD = 200;

/**
 * CodeBuild announces one source directory per source; past this many a log's announcements are
 * not believed (every problem's path is tried against every root).
 */
export const MAX_SOURCE_ROOTS = 16;

/** Every format annotations are read from; a new format is a new parser file and a line here. */
const PARSERS: AnnotationParser[] = [parseWorkflowCommands, parseTypeScriptDiagnostics, parseEslintOutput, parseNextBuildOutput];

const SEVERITY: Record<AnnotationLevel, number> = { failure: 0, warning: 1, notice: 2 };

export interface AnnotationOptions {
  /** Absolute directories the repository is checked out in (the build's CODEBUILD_SRC_DIR). */
  sourceRoots: string[];
  /** At most this many; MAX_ANNOTATIONS_PER_BUILD unless said. */
  max?: number;
}

/**
 * The annotations a build's log gives (SPEC 5), in the order the log gives them, each once. Lines are
 * the log as read so far (CloudWatch events, each one or more lines), masked already. Paths are made
 * relative to the repository: the roots given, and the one CodeBuild announces in the log, are taken
 * off absolute paths; problems outside the repository are dropped. Past `max`, failures are kept
 * before warnings and warnings before notices.
 */
export function annotationsFromLog(lines: readonly string[], options: AnnotationOptions): CheckAnnotation[] {
  // Cut before any parser's regular expression sees a line (SPEC 5: linear time on hostile output).
  const plain = lines.flatMap(eventLines).map((line) => cutLogLine(plainLogLine(line)));
  const roots = [...new Set([...options.sourceRoots, ...sourceRootsFromLog(plain)])].slice(0, MAX_SOURCE_ROOTS);
  const found = PARSERS.flatMap((parse) => parse(plain)).sort((a, b) => a.logLine - b.logLine);
  const unique = new Map<string, CheckAnnotation>();
  for (const raw of found) {
    const path = repositoryPath(raw.file, roots);
    const annotation = path === undefined ? undefined : toCheckAnnotation(raw, path);
    if (annotation && !unique.has(sameProblem(annotation))) unique.set(sameProblem(annotation), annotation);
  }
  return keepMostSevere([...unique.values()], options.max ?? MAX_ANNOTATIONS_PER_BUILD);
}

/**
 * The annotations the next check-run request carries, `alreadySent` having gone out before: GitHub
 * takes 50 per request and appends each batch to the run's earlier ones. While a build's log grows,
 * its annotations grow at their end, so a count is all a caller keeps between updates, provided it
 * passes the whole log read so far. That holds up to MAX_ANNOTATIONS_PER_BUILD; past it the
 * severity cut may reorder the list, and a caller sending during the build may repeat or skip a
 * few of the least severe.
 */
export function nextAnnotationBatch(all: CheckAnnotation[], alreadySent: number): CheckAnnotation[] {
  const start = Math.max(0, alreadySent);
  const end = Math.min(start + CHECK_ANNOTATIONS_PER_REQUEST, MAX_ANNOTATIONS_PER_BUILD);
  return all.slice(start, Math.max(start, end));
}

/** Tools repeat themselves (tsc, then `next build`'s own type check): one annotation per problem. */
export function sameProblem(annotation: CheckAnnotation): string {
  const { path, start_line, start_column, annotation_level, message } = annotation;
  return JSON.stringify([path, start_line, start_column ?? null, annotation_level, message]);
}

function keepMostSevere(annotations: CheckAnnotation[], max: number): CheckAnnotation[] {
  if (annotations.length <= max) return annotations;
  const bySeverity = [...annotations].sort((a, b) => SEVERITY[a.annotation_level] - SEVERITY[b.annotation_level]);
  const kept = new Set(bySeverity.slice(0, Math.max(0, max)));
  return annotations.filter((annotation) => kept.has(annotation));
}
