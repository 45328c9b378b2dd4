/* eslint-disable no-control-regex -- matching control characters is the point of this file */

/** Operating-system commands such as hyperlinks: ESC ] … BEL or ESC ] … ESC \. */
const OSC = /\x1b\][\s\S]*?(?:\x07|\x1b\\)/g;
/** Colours, cursor moves and erases: ESC [ (or the 8-bit CSI) parameters, final byte. */
const CSI = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]/g;
/** The remaining two- and three-byte escapes (character sets, keypad modes). */
const SHORT_ESCAPE = /\x1b[ -/]*[0-~]?/g;
/** Control characters other than tab, which a page or a check run would show as garbage. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/**
 * A log line as a terminal would have left it on screen, as plain text: ANSI escapes removed,
 * and a line redrawn with carriage returns (progress bars) reduced to what was drawn last.
 */
export function plainLogLine(line: string): string {
  const withoutEscapes = line.replace(OSC, "").replace(CSI, "").replace(SHORT_ESCAPE, "");
  const redraws = withoutEscapes.replace(/\r+$/, "").split("\r");
  return (redraws[redraws.length - 1] ?? "").replace(CONTROL, "");
}

/** A CloudWatch event's lines, without the line break that ends the event. */
export function eventLines(event: string): string[] {
  return event.replace(/\r?\n$/, "").split(/\r?\n/);
}
