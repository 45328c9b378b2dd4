import { hiddenLineStarts } from "./hidden-text.js";

/** A line of a comment that may hold a command. */
export interface CommentLine {
  /** 1-based, counting `\r\n`, `\n` and `\r` as line ends. */
  number: number;
  /** The line as written. */
  text: string;
}

/** `empty` while a list item holds nothing yet: a blank line then ends it (CommonMark 5.2). */
type Container = { kind: "quote" } | { kind: "item"; width: number; empty: boolean };
type Leaf = { kind: "none" } | { kind: "paragraph" } | { kind: "fence"; char: string; length: number } | { kind: "comment" };
/** A line of paragraph text (`text` without the quote and list markers before it), or anything else. */
type Prose = { kind: "prose"; inQuote: boolean; newParagraph: boolean; text: string };
type LineRole = Prose | { kind: "other" };

/*
 * Regular expressions over comments (SPEC 5 and 6: linear time; a comment is anyone's text): LINE_END
 * splits once; the block markers below are anchored at the line's start, take at most 3 spaces first
 * and have no two adjacent quantifiers over the same characters (THEMATIC_BREAK's `\1 *` always takes
 * its marker), so each is tried once per line; the blank and indent checks take spaces only. The
 * property tests in test/linear-time.property.test.ts feed them adversarial comments.
 */
const LINE_END = /\r\n|\r|\n/;
const NONE: Leaf = { kind: "none" };
const OTHER: LineRole = { kind: "other" };
const TAB_STOP = 4;
/** Four columns of indentation make indented code, or continue a paragraph (CommonMark 4.4). */
const CODE_INDENT = 4;
/** Deeper quotes and lists are read as text, so that no comment takes long to read; none is shown so deep. */
const MAX_DEPTH = 100;

const QUOTE_MARKER = /^ {0,3}> ?/;
const LIST_MARKER = /^( {0,3})([-+*]|(\d{1,9})[.)])( *)(.?)/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,}) *$/;
const THEMATIC_BREAK = /^ {0,3}([-*_]) *(?:\1 *){2,}$/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+) *$/;
const ATX_HEADING = /^ {0,3}#{1,6}(?: |$)/;
const COMMENT_START = /^ {0,3}<!--/;

/**
 * The lines of a comment that GitHub shows as ordinary text: the only lines that may hold a slash
 * command (SPEC 6). Follows CommonMark's blocks — `>` quotes (with their lazy continuation lines),
 * list items, fenced and indented code, HTML comments, paragraphs — and, within a paragraph, code
 * spans, comments and tags that run over several lines, so that a line GitHub shows as code, as a
 * quote or not at all is never read as a command. Raw HTML blocks (`<details>`, `<div>`) are read
 * as text, as GitHub shows the text in them; a fence inside one is still taken for code, which can
 * only leave a line out, never take one in.
 */
export function proseLines(body: string): CommentLine[] {
  const raw = body.split(LINE_END);
  const scanner = new BlockScanner();
  const roles = raw.map((line) => scanner.next(expandTabs(line)));
  const visible: CommentLine[] = [];
  for (const paragraph of paragraphsOf(roles)) {
    const hidden = hiddenLineStarts(paragraph.map(({ role }) => role.text));
    paragraph.forEach(({ index, role }, k) => {
      if (!role.inQuote && !hidden[k]) visible.push({ number: index + 1, text: raw[index] as string });
    });
  }
  return visible;
}

/** The lines of each paragraph, in order. */
function paragraphsOf(roles: LineRole[]): { index: number; role: Prose }[][] {
  const paragraphs: { index: number; role: Prose }[][] = [];
  roles.forEach((role, index) => {
    if (role.kind !== "prose") return;
    const current = paragraphs.at(-1);
    if (role.newParagraph || !current) paragraphs.push([{ index, role }]);
    else current.push({ index, role });
  });
  return paragraphs;
}

/** CommonMark's block structure, one line at a time (its appendix, "A parsing strategy"). */
class BlockScanner {
  private containers: Container[] = [];
  private leaf: Leaf = NONE;

  next(line: string): LineRole {
    const { matched, at } = this.matchContainers(line);
    const rest = line.slice(at);
    if (this.leaf.kind === "fence" || this.leaf.kind === "comment") {
      if (matched === this.containers.length) return this.continueLeaf(rest);
      this.leaf = NONE; // code and HTML end with their quote or list item; neither continues lazily
    }
    return this.openBlocks(rest, matched);
  }

  /** How many open containers the line continues, and where its content starts. */
  private matchContainers(line: string): { matched: number; at: number } {
    let at = 0;
    let matched = 0;
    for (const container of this.containers) {
      if (container.kind === "quote") {
        const marker = QUOTE_MARKER.exec(line.slice(at));
        if (!marker) break;
        at += marker[0].length;
      } else if (isBlank(line.slice(at))) {
        if (container.empty) break;
      } else {
        if (indentOf(line.slice(at)) < container.width) break;
        at += container.width;
      }
      matched++;
    }
    return { matched, at };
  }

  private continueLeaf(rest: string): LineRole {
    if (this.leaf.kind === "fence") {
      const close = FENCE_CLOSE.exec(rest);
      if (close?.[1]?.[0] === this.leaf.char && close[1].length >= this.leaf.length) this.leaf = NONE;
    } else if (rest.includes("-->")) {
      this.leaf = NONE;
    }
    return OTHER;
  }

  private openBlocks(content: string, matched: number): LineRole {
    const paragraphHere = this.leaf.kind === "paragraph" && matched === this.containers.length;
    const opened: Container[] = [];
    let rest = content;
    while (matched + opened.length < MAX_DEPTH) {
      const here = paragraphHere && opened.length === 0;
      if (indentOf(rest) >= CODE_INDENT || (here && SETEXT_UNDERLINE.test(rest)) || THEMATIC_BREAK.test(rest)) break;
      const quote = QUOTE_MARKER.exec(rest);
      const item = quote ? undefined : listItemOf(rest);
      if (quote) {
        opened.push({ kind: "quote" });
        rest = rest.slice(quote[0].length);
      } else if (item && (!here || item.canInterruptParagraph)) {
        opened.push({ kind: "item", width: item.width, empty: true });
        rest = rest.slice(item.width);
      } else {
        break;
      }
    }
    if (this.leaf.kind === "paragraph" && opened.length === 0 && continuesParagraph(rest, paragraphHere)) {
      return this.prose(rest, false);
    }
    this.containers = [...this.containers.slice(0, matched), ...opened];
    this.noteContent(rest);
    return this.startLeaf(rest, paragraphHere && opened.length === 0);
  }

  /** Every container holds the next one; the innermost holds the line's content unless it is blank. */
  private noteContent(rest: string): void {
    this.containers.forEach((container, i) => {
      if (container.kind === "item" && (i < this.containers.length - 1 || !isBlank(rest))) container.empty = false;
    });
  }

  /** The first line of a leaf block; `afterParagraph` when it directly follows paragraph text. */
  private startLeaf(rest: string, afterParagraph: boolean): LineRole {
    this.leaf = NONE;
    if (isBlank(rest) || indentOf(rest) >= CODE_INDENT) return OTHER;
    if (ATX_HEADING.test(rest) || THEMATIC_BREAK.test(rest) || (afterParagraph && SETEXT_UNDERLINE.test(rest))) return OTHER;
    const fence = fenceOpenOf(rest);
    if (fence) {
      this.leaf = fence;
      return OTHER;
    }
    if (COMMENT_START.test(rest)) {
      if (!rest.includes("-->")) this.leaf = { kind: "comment" };
      return OTHER;
    }
    this.leaf = { kind: "paragraph" };
    return this.prose(rest, true);
  }

  private prose(rest: string, newParagraph: boolean): LineRole {
    const inQuote = this.containers.some((c) => c.kind === "quote");
    return { kind: "prose", inQuote, newParagraph, text: rest.replace(/^ +/, "") };
  }
}

/** Whether a line with no new container is more text of the open paragraph (CommonMark 4.8, 5.1). */
function continuesParagraph(rest: string, paragraphHere: boolean): boolean {
  if (isBlank(rest)) return false;
  if (indentOf(rest) >= CODE_INDENT) return true;
  if (paragraphHere && SETEXT_UNDERLINE.test(rest)) return false;
  return !(fenceOpenOf(rest) || ATX_HEADING.test(rest) || THEMATIC_BREAK.test(rest) || COMMENT_START.test(rest));
}

function fenceOpenOf(rest: string): (Leaf & { kind: "fence" }) | undefined {
  const open = FENCE_OPEN.exec(rest);
  const run = open?.[1];
  if (!run || (run[0] === "`" && open[2]?.includes("`"))) return undefined;
  return { kind: "fence", char: run[0] as string, length: run.length };
}

/** A list item's marker at the start of `rest` (CommonMark 5.2): how wide it is, and whether it may end a paragraph. */
function listItemOf(rest: string): { width: number; canInterruptParagraph: boolean } | undefined {
  const marker = LIST_MARKER.exec(rest);
  if (!marker) return undefined;
  const [, indent = "", bullet = "", number, spaces = "", next = ""] = marker;
  const empty = next === "";
  if (spaces === "" && !empty) return undefined;
  const markerEnd = indent.length + bullet.length;
  // Content after five or more spaces is indented code, which starts one column after the marker.
  const width = empty || spaces.length > CODE_INDENT ? markerEnd + 1 : markerEnd + spaces.length;
  return { width, canInterruptParagraph: !empty && (number === undefined || Number(number) === 1) };
}

function isBlank(text: string): boolean {
  return /^ *$/.test(text);
}

function indentOf(text: string): number {
  return /^ */.exec(text)?.[0].length ?? 0;
}

/** Tabs as spaces to the next multiple of 4 columns, as CommonMark reads block structure. */
function expandTabs(line: string): string {
  if (!line.includes("\t")) return line;
  let expanded = "";
  for (const c of line) expanded += c === "\t" ? " ".repeat(TAB_STOP - (expanded.length % TAB_STOP)) : c;
  return expanded;
}
