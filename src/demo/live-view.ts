/** Where the demo writes: a terminal (redrawn in place) or a pipe (written once, line by line). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  rows?: number;
  columns?: number;
}

/** A terminal's control sequence (CSI … final byte), as the demo's own styles write them. */
const ESCAPE = "\u001b";

/** `line` cut to `columns` visible characters, its escape sequences kept (so a cut line never wraps). */
export function fitToWidth(line: string, columns: number): string {
  let shown = 0;
  let out = "";
  let inEscape = false;
  for (const char of line) {
    if (char === ESCAPE) inEscape = true;
    if (inEscape) {
      out += char;
      // A control sequence ends with its final byte, a letter (`m` for colours).
      if (/[A-Za-z]/.test(char)) inEscape = false;
    } else if (shown < columns) {
      out += char;
      shown++;
    }
  }
  return out;
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
