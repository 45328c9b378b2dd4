import { collectAnnotations, type CollectedAnnotations } from "../../checks/annotations/collector.js";
import { CHECK_OUTPUT_MAX_BYTES } from "../../checks/output-size.js";
import { eventLines, plainLogLine } from "../../checks/terminal.js";
import { LOG_LINES_MAX } from "../../config/schema.js";
import { AddMaskValues, MASKING_FULL_LINE } from "../../variables/add-masks.js";
import { cutMasked, type Masker } from "../../variables/masking.js";
import type { LogEvent, MaskedLogLine } from "../build-log.js";
import { growingMasker, keepMasker, maskerOf, type BuildMasking } from "./masking.js";

/**
 * Characters of the tail kept for the excerpt: enough to fill GitHub's 65,535 bytes (a character
 * is at least one byte), so a flood of long lines cannot make the tail large.
 */
const TAIL_MAX_CHARACTERS = CHECK_OUTPUT_MAX_BYTES;

/** What the app knows of a build's log as read so far. */
export interface ReadLog {
  /** The last lines of the masked log, as many as any excerpt can show (at most LOG_LINES_MAX lines and TAIL_MAX_CHARACTERS). */
  tail: readonly string[];
  annotations: CollectedAnnotations;
  masking: BuildMasking;
}

/** What a batch of the log gave. */
export interface AcceptedLog extends ReadLog {
  /** The lines to store: plain text, masked, long ones cut. */
  lines: MaskedLogLine[];
}

/**
 * CloudWatch events → lines as stored: terminal escapes removed first, the build's own
 * `::add-mask::` values taken (so their own lines hide them too), then every line masked (the
 * final text: nothing decodes it after) and long lines cut; kept in the tail and scanned for
 * annotations.
 */
export function acceptLog(read: ReadLog, events: readonly LogEvent[]): AcceptedLog {
  const plain = events.flatMap((event) => eventLines(event.message).map((text) => ({ timestamp: event.timestamp, text: plainLogLine(text) })));
  if (plain.length === 0) return { ...read, lines: [] };
  const addMasks = new AddMaskValues(read.masking.addMasks);
  let growing: Masker | undefined;
  const shown: { timestamp: number; text: string }[] = [];
  for (const line of plain) {
    const reading = addMasks.read(line.text);
    if (reading.added.length > 0) growing ??= growingMasker(read.masking);
    for (const value of reading.added) growing!.add(value);
    shown.push({ timestamp: line.timestamp, text: reading.line });
    if (reading.becameFull) shown.push({ timestamp: line.timestamp, text: MASKING_FULL_LINE });
  }
  const changed = growing !== undefined || addMasks.full !== read.masking.addMasks.full;
  const masking = changed ? { ...read.masking, addMasks: addMasks.state } : read.masking;
  if (growing) keepMasker(masking, growing);
  const masker = growing ?? maskerOf(masking);
  const lines = shown.map((line) => ({ timestamp: line.timestamp, text: cutMasked(masker.mask(line.text)) }));
  const texts = lines.map((line) => line.text);
  return { tail: keepTail(read.tail, texts), annotations: collectAnnotations(read.annotations, texts), masking, lines };
}

function keepTail(tail: readonly string[], lines: readonly string[]): string[] {
  const kept = [...tail, ...lines].slice(-LOG_LINES_MAX);
  let characters = 0;
  let first = kept.length;
  while (first > 0 && characters < TAIL_MAX_CHARACTERS) characters += kept[--first]!.length + 1;
  return kept.slice(first);
}
