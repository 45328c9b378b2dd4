import { AnnotationCollector } from "../../checks/annotations/collector.js";
import { CHECK_OUTPUT_MAX_BYTES } from "../../checks/output-size.js";
import { eventLines, plainLogLine } from "../../checks/terminal.js";
import { LOG_LINES_MAX } from "../../config/schema.js";
import { AddMaskValues, MASKING_FULL_LINE, type AddMaskState } from "../../variables/add-masks.js";
import { createMasker, cutMasked, type Masker } from "../../variables/masking.js";
import type { LogEvent, MaskedLogLine } from "../../ports/build-logs.js";
import type { BuildRecord, RecordedSnapshot } from "../../ports/build-records.js";

/**
 * Characters of the tail kept for the excerpt: enough to fill GitHub's 65,535 bytes (a character
 * is at least one byte), so a flood of long lines cannot make the tail large.
 */
const TAIL_MAX_CHARACTERS = CHECK_OUTPUT_MAX_BYTES;

/** What accepting a batch of the log gave. */
export interface AcceptedLog {
  /** The lines to store: plain text, masked, long ones cut. */
  lines: MaskedLogLine[];
  /** The build hid new values of its own (or masking became full): they must be kept with the build. */
  addMasksChanged: boolean;
}

/** What the watcher knows of one build it follows, beyond its record: kept in memory only. */
export class FollowedBuild {
  readonly masker: Masker;
  readonly addMasks: AddMaskValues;
  readonly annotations = new AnnotationCollector();
  snapshot: RecordedSnapshot | undefined;
  /** The last lines of the masked log, as many as any excerpt can show (at most LOG_LINES_MAX lines and TAIL_MAX_CHARACTERS). */
  tail: string[] = [];
  /** Annotations already sent to the check run (GitHub appends each batch). */
  annotationsSent = 0;
  /** The fingerprint of the last update sent for the check run by this process. */
  sentFingerprint: string | undefined;
  lastOutputAt: number | undefined;
  /** When the build finished (its end time, or when the watcher first saw it finished): the log is read on for a grace period after. */
  finishedSeenAt: number | undefined;
  /** Read to the end after the grace period, or there is no log to read. */
  logDone = false;
  /** A log read in flight, so reads of one build never overlap. */
  reading: Promise<void> | undefined;

  /** `addMasks`: the values the build hid before this process followed it (kept with the build). */
  constructor(
    public record: BuildRecord,
    addMasks?: AddMaskState,
  ) {
    this.addMasks = new AddMaskValues(addMasks);
    this.masker = createMasker(this.addMasks.state.values);
  }

  /**
   * CloudWatch events → lines as stored: terminal escapes removed first, the build's own
   * `::add-mask::` values taken (so their own lines hide them too), then every line masked (the
   * final text: nothing decodes it after) and long lines cut; kept in the tail and scanned for
   * annotations.
   */
  acceptLog(events: readonly LogEvent[], now: number): AcceptedLog {
    const plain = events.flatMap((event) => eventLines(event.message).map((text) => ({ timestamp: event.timestamp, text: plainLogLine(text) })));
    if (plain.length === 0) return { lines: [], addMasksChanged: false };
    let addMasksChanged = false;
    const shown: { timestamp: number; text: string }[] = [];
    for (const line of plain) {
      const reading = this.addMasks.read(line.text);
      for (const value of reading.added) this.masker.add(value);
      shown.push({ timestamp: line.timestamp, text: reading.line });
      if (reading.becameFull) shown.push({ timestamp: line.timestamp, text: MASKING_FULL_LINE });
      addMasksChanged ||= reading.added.length > 0 || reading.becameFull;
    }
    const lines = shown.map((line) => ({ timestamp: line.timestamp, text: cutMasked(this.masker.mask(line.text)) }));
    const texts = lines.map((line) => line.text);
    this.keepTail(texts);
    this.annotations.add(texts);
    this.lastOutputAt = now;
    return { lines, addMasksChanged };
  }

  private keepTail(lines: readonly string[]): void {
    const tail = [...this.tail, ...lines].slice(-LOG_LINES_MAX);
    let characters = 0;
    let first = tail.length;
    while (first > 0 && characters < TAIL_MAX_CHARACTERS) characters += tail[--first]!.length + 1;
    this.tail = tail.slice(first);
  }
}
