/**
 * A build's output as text: terminal escapes removed in one pass, long lines cut. Build output is
 * hostile (SPEC 5): everything here is a single left-to-right scan, with no regular expression, so
 * its time is linear in the line whatever the line holds (floods of `ESC ]` without an end, long
 * runs of parameters, carriage returns).
 */

const ESC = 0x1b;
const BEL = 0x07;
const TAB = 0x09;
const CR = 0x0d;
/** The 8-bit Control Sequence Introducer. */
const CSI_8BIT = 0x9b;

/**
 * Lines longer than this (in UTF-16 code units, after escapes are removed and values masked) are cut,
 * with CUT_LINE_NOTE, before any parser sees them or they are stored: no tool prints a useful line
 * that long, and every line the app keeps is then bounded.
 */
export const MAX_LOG_LINE_LENGTH = 16 * 1024;

/** What a cut line ends with: how much was left out. */
export function cutLineNote(leftOut: number): string {
  return ` … [line cut: ${leftOut.toLocaleString("en-US")} more characters]`;
}

/**
 * A log line as a terminal would have left it on screen, as plain text: escape sequences removed
 * (CSI: colours, cursor moves; OSC: titles, hyperlinks, ended by BEL or `ESC \`; the short ones),
 * a line redrawn with carriage returns (progress bars) reduced to what was drawn last, and control
 * characters other than tab dropped.
 */
export function plainLogLine(line: string): string {
  if (!needsCleaning(line)) return line;
  // Kept code units go into one buffer: concatenating thousands of small pieces is not linear in V8.
  const kept = new Uint16Array(line.length);
  let length = 0;
  /** A carriage return was seen: the next character drawn starts the line again. */
  let redraw = false;
  /** Start of the first OSC terminator at or after the last OSC looked at (-1: the line has none after it): unended OSCs cost one scan in all. */
  let terminator: number | undefined;
  for (let i = 0; i < line.length;) {
    const code = line.charCodeAt(i);
    if (code === ESC || code === CSI_8BIT) {
      if (code === CSI_8BIT || line.charCodeAt(i + 1) === 0x5b) {
        i = controlSequenceEnd(line, code === CSI_8BIT ? i + 1 : i + 2);
      } else if (line.charCodeAt(i + 1) === 0x5d) {
        if (terminator === undefined || (terminator >= 0 && terminator < i + 2)) terminator = oscTerminator(line, i + 2);
        // An OSC that never ends loses only its introducer, as a terminal that gave up on it would show.
        i = terminator < 0 ? i + 2 : terminator + (line.charCodeAt(terminator) === BEL ? 1 : 2);
      } else {
        i = shortEscapeEnd(line, i + 1);
      }
      continue;
    }
    if (code === CR) {
      redraw = true;
    } else {
      if (redraw) [length, redraw] = [0, false];
      if (!isControl(code)) kept[length++] = code;
    }
    i++;
  }
  return fromCodeUnits(kept.subarray(0, length));
}

function isControl(code: number): boolean {
  return (code < 0x20 && code !== TAB) || (code >= 0x7f && code <= 0x9f);
}

/** Whether the line holds anything plainLogLine removes (most lines hold nothing). */
function needsCleaning(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (isControl(line.charCodeAt(i))) return true;
  return false;
}

/** Code units as a string, in slices small enough for `String.fromCharCode`'s arguments. */
function fromCodeUnits(units: Uint16Array): string {
  const slices: string[] = [];
  for (let i = 0; i < units.length; i += 8192) slices.push(String.fromCharCode(...units.subarray(i, i + 8192)));
  return slices.join("");
}

/**
 * Where a CSI ends: parameters (0x30–0x3f), intermediates (0x20–0x2f), one final byte (0x40–0x7e).
 * Without a final byte only the introducer is dropped and the rest is text, as before.
 */
function controlSequenceEnd(line: string, start: number): number {
  let i = start;
  while (i < line.length && inRange(line.charCodeAt(i), 0x30, 0x3f)) i++;
  while (i < line.length && inRange(line.charCodeAt(i), 0x20, 0x2f)) i++;
  return i < line.length && inRange(line.charCodeAt(i), 0x40, 0x7e) ? i + 1 : start;
}

/** Where the first BEL or `ESC \` at or after `from` starts, or -1 when the line has none. */
function oscTerminator(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === BEL || (code === ESC && line.charCodeAt(i + 1) === 0x5c)) return i;
  }
  return -1;
}

/** ESC, intermediates, and one final byte when there is one (character sets, keypad modes, a stray ESC). */
function shortEscapeEnd(line: string, start: number): number {
  let i = start;
  while (i < line.length && inRange(line.charCodeAt(i), 0x20, 0x2f)) i++;
  return i < line.length && inRange(line.charCodeAt(i), 0x30, 0x7e) ? i + 1 : i;
}

function inRange(code: number, low: number, high: number): boolean {
  return code >= low && code <= high;
}

/** `line` at most MAX_LOG_LINE_LENGTH long: a longer one is cut (never inside a surrogate pair) and says how much was left out. */
export function cutLogLine(line: string, max = MAX_LOG_LINE_LENGTH): string {
  if (line.length <= max) return line;
  const end = isLowSurrogate(line.charCodeAt(max)) ? max - 1 : max;
  return line.slice(0, end) + cutLineNote(line.length - end);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** A CloudWatch event's lines, without the line break that ends the event. */
export function eventLines(event: string): string[] {
  const body = event.endsWith("\r\n") ? event.slice(0, -2) : event.endsWith("\n") ? event.slice(0, -1) : event;
  // One linear split; a CR left before each LF is a redraw to nothing, which plainLogLine drops.
  return body.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}
