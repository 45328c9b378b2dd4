import { eventLines } from "../checks/terminal.js";
import { AnnotationCollector } from "../checks/annotations/collector.js";
import { LOG_LINES_MAX } from "../config/schema.js";
import { createMasker, maskLogLines, type Masker } from "../variables/masking.js";
import type { LogEvent } from "./logs.js";
import type { BuildRecord } from "./record.js";
import type { BuildSnapshot } from "./runner.js";

/** What the watcher knows of one build it follows, beyond its record: kept in memory only. */
export class FollowedBuild {
  readonly masker: Masker = createMasker();
  readonly annotations = new AnnotationCollector();
  snapshot: BuildSnapshot | undefined;
  /** The last lines of the masked log, as many as any excerpt can show. */
  tail: string[] = [];
  /** Annotations already sent to the check run (GitHub appends each batch). */
  annotationsSent = 0;
  lastOutputAt: number | undefined;
  /** When the build finished (its end time, or when the watcher first saw it finished): the log is read on for a grace period after. */
  finishedSeenAt: number | undefined;
  /** Read to the end after the grace period, or there is no log to read. */
  logDone = false;
  /** A log read in flight, so reads of one build never overlap. */
  reading: Promise<void> | undefined;

  constructor(public record: BuildRecord) {}

  /** CloudWatch events → masked lines, kept in the tail and scanned for annotations. */
  acceptLog(events: LogEvent[], now: number): { timestamp: number; text: string }[] {
    const lines = events.flatMap((event) => eventLines(event.message).map((text) => ({ timestamp: event.timestamp, text })));
    if (lines.length === 0) return [];
    const masked = maskLogLines(
      this.masker,
      lines.map((l) => l.text),
    );
    this.tail = [...this.tail, ...masked].slice(-LOG_LINES_MAX);
    this.annotations.add(masked);
    this.lastOutputAt = now;
    return masked.map((text, i) => ({ timestamp: lines[i]!.timestamp, text }));
  }
}
