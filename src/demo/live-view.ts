/** Where the demo writes: a terminal (redrawn in place) or a pipe (written once, line by line). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  rows?: number;
  columns?: number;
}

/** Where a terminal's control sequence starts (ESC), as the demo's own styles write them. */
const ESCAPE = "\u001b";
const ESCAPE_CODE = 0x1b;

/** A letter ends a control sequence (`m` ends a colour). */
const isLetter = (code: number) => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
/** The second half of a character outside the BMP: counted with the first. */
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** `line` cut to `columns` visible characters, its control sequences kept (so a cut line never wraps, nor leaves a colour on). */
export function fitToWidth(line: string, columns: number): string {
  const kept: string[] = [];
  let shown = 0;
  let start = 0;
  let inEscape = false;
  let cutting = false;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === ESCAPE_CODE) {
      inEscape = true;
      start = cutting ? i : start;
    } else if (inEscape) {
      inEscape = !isLetter(code);
      if (!inEscape && cutting) kept.push(line.slice(start, i + 1));
    } else if (!isLowSurrogate(code) && shown++ === columns && !cutting) {
      kept.push(line.slice(0, i));
      cutting = true;
    }
  }
  if (!cutting) return line;
  if (inEscape) kept.push(line.slice(start));
  return kept.join("");
}

/**
 * Lines said for good, and one live block below them that a terminal redraws in place as a check
 * run changes; written to a pipe, the block's first line is written each time it changes and the
 * whole block once it is settled.
 */
export class LiveView {
  private shown = 0;
  private lastKey: string | undefined;
  private block: string[] = [];

  constructor(private readonly out: Output) {}

  say(...lines: string[]): void {
    this.clear();
    for (const line of lines) this.out.write(`${line}\n`);
    this.redraw();
  }

  /** Replaces the live block; `key` says whether anything worth a new line in a pipe changed. */
  live(lines: string[], key: string): void {
    this.block = lines;
    if (this.out.isTTY) {
      this.clear();
      this.redraw();
    } else if (key !== this.lastKey && lines[0] !== undefined) {
      this.out.write(`${lines[0]}\n`);
    }
    this.lastKey = key;
  }

  /** The live block stays as it is last shown (in a pipe: written whole, but for the first line already there), and the next one starts below it. */
  settle(): void {
    if (!this.out.isTTY) for (const line of this.block.slice(this.lastKey === undefined ? 0 : 1)) this.out.write(`${line}\n`);
    this.block = [];
    this.shown = 0;
    this.lastKey = undefined;
  }

  private clear(): void {
    if (this.shown > 0) this.out.write(`${ESCAPE}[${this.shown}A\r${ESCAPE}[J`);
    this.shown = 0;
  }

  private redraw(): void {
    if (!this.out.isTTY || this.block.length === 0) return;
    const rows = Math.max((this.out.rows ?? 24) - 2, 5);
    const columns = this.out.columns ?? 80;
    const lines = this.block.slice(0, rows).map((line) => fitToWidth(line, columns - 1));
    for (const line of lines) this.out.write(`${line}\n`);
    this.shown = lines.length;
  }
}
