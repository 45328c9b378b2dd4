import type { CheckRunState } from "./github-stand-in.js";

/** How text is coloured in the terminal (plain where colour is off). */
export interface Style {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const ANSI = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
export const COLOURS: Style = { green: ANSI(32, 39), red: ANSI(31, 39), yellow: ANSI(33, 39), dim: ANSI(2, 22), bold: ANSI(1, 22) };
export const PLAIN: Style = { green: String, red: String, yellow: String, dim: String, bold: String };

interface Annotation {
  path?: string;
  start_line?: number;
  annotation_level?: string;
  message?: string;
}

/** The mark GitHub shows beside a check run: queued, running, or its conclusion. */
function mark(run: CheckRunState, style: Style): string {
  if (run.status !== "completed") return run.status === "in_progress" ? style.yellow("●") : style.dim("○");
  if (run.conclusion === "success") return style.green("✓");
  if (run.conclusion === "failure" || run.conclusion === "timed_out") return style.red("✗");
  return style.dim("−");
}

/**
 * A check run as GitHub shows it on a commit, for a terminal: the mark, name and title, the summary
 * (phase table, failure message, links) turned from markdown into text, the annotations, and the
 * last `excerptLines` lines of the log excerpt.
 */
export function renderCheckRunCard(run: CheckRunState, options: { style: Style; excerptLines: number }): string[] {
  const { style } = options;
  const title = run.output?.title ?? (run.status === "queued" ? "Queued" : run.status);
  const lines = [`${mark(run, style)} ${style.bold(run.name)} · ${title}`];
  const summary = markdownLines(run.output?.summary ?? "");
  if (summary.length > 0) lines.push("", ...summary.map((line) => `  ${line}`));
  const annotations = (run.output?.annotations ?? []) as Annotation[];
  if (annotations.length > 0) {
    lines.push("", `  ${style.bold("Annotations")}`);
    for (const a of annotations)
      lines.push(`  ${a.annotation_level === "failure" ? style.red("✗") : style.yellow("!")} ${a.path}:${a.start_line}  ${a.message}`);
  }
  const excerpt = fencedLines(run.output?.text ?? "").slice(-options.excerptLines);
  if (excerpt.length > 0) {
    lines.push("", `  ${style.bold("Log")} ${style.dim(`(last ${excerpt.length} lines)`)}`, ...excerpt.map((line) => `  ${style.dim("│")} ${line}`));
  }
  return lines;
}

/** The lines inside the first code fence of `text` (the check run's log excerpt). */
export function fencedLines(text: string): string[] {
  const lines = text.split("\n");
  const open = lines.findIndex((line) => line.startsWith("```") || line.startsWith("~~~"));
  if (open === -1) return [];
  const fence = lines[open]!.trimEnd();
  const close = lines.findIndex((line, index) => index > open && line.trimEnd() === fence);
  return lines.slice(open + 1, close === -1 ? undefined : close);
}

/**
 * GitHub-flavoured markdown as the app writes it in a summary or a comment, as terminal text: tables
 * aligned, links spelled out, markup dropped, `<details>` folded to its summary as GitHub shows it.
 */
export function markdownLines(markdown: string): string[] {
  const out: string[] = [];
  let table: string[][] = [];
  let folded = false;
  const flushTable = () => {
    if (table.length > 0) out.push(...alignedRows(table));
    table = [];
  };
  for (const line of markdown.split("\n")) {
    if (folded) {
      folded = !line.startsWith("</details>");
      continue;
    }
    if (line.startsWith("|")) {
      const cells = tableCells(line);
      if (!cells.every((cell) => /^:?-+:?$/.test(cell))) table.push(cells.map(inlineText));
      continue;
    }
    flushTable();
    if (line.startsWith("<details>")) {
      folded = true;
      out.push(`▸ ${foldedSummary(line)}`);
      continue;
    }
    const text = inlineText(line);
    if (text === "" && (out.length === 0 || out.at(-1) === "")) continue;
    out.push(text);
  }
  flushTable();
  while (out.at(-1) === "") out.pop();
  return out;
}

/** The text of `<details><summary>…</summary>`. */
function foldedSummary(line: string): string {
  const start = line.indexOf("<summary>");
  const end = line.indexOf("</summary>");
  return start !== -1 && end > start ? inlineText(line.slice(start + "<summary>".length, end)) : "Details";
}

/** A table row's cells, split at `|` that no backslash escapes. */
function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cell = "";
  for (let i = 1; i < row.length; i++) {
    const c = row[i]!;
    if (c === "\\" && i + 1 < row.length) {
      cell += c + row[++i];
    } else if (c === "|") {
      cells.push(cell.trim());
      cell = "";
    } else {
      cell += c;
    }
  }
  if (cell.trim() !== "") cells.push(cell.trim());
  return cells;
}

function alignedRows(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? "")].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell + " ".repeat(widths[column]! - [...cell].length))
      .join("   ")
      .trimEnd(),
  );
}

/**
 * Inline markdown as text, in one pass (the summary holds build output): escapes undone, code-span
 * backticks and `**` dropped, `[text](url)` as `text (url)`.
 */
export function inlineText(markdown: string): string {
  let text = "";
  let closingParenthesisAhead = true;
  for (let i = 0; i < markdown.length; i++) {
    const c = markdown[i]!;
    if (c === "\\" && i + 1 < markdown.length) {
      text += markdown[++i];
    } else if (c === "`" || c === "[" || (c === "*" && markdown[i + 1] === "*")) {
      if (c === "*") i++;
    } else if (c === "]" && markdown[i + 1] === "(" && closingParenthesisAhead) {
      const end = markdown.indexOf(")", i + 2);
      if (end === -1) {
        closingParenthesisAhead = false;
        text += c;
      } else {
        const destination = markdown.slice(i + 2, end);
        text += ` (${destination.startsWith("<") && destination.endsWith(">") ? destination.slice(1, -1) : destination})`;
        i = end;
      }
    } else {
      text += c;
    }
  }
  return text;
}
