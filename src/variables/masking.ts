import { cutLogLine } from "../checks/terminal.js";
import { encodeCommandData, encodeCommandProperty } from "../checks/workflow-escapes.js";

/**
 * Hiding secret values in everything the app writes (SPEC 5): the forms a value takes, and a
 * masker that replaces every one of them by `***` in the final text of each surface.
 */

declare const maskedText: unique symbol;

/**
 * Text that has been through a masker: the only kind of text the app's exits take (check runs,
 * comments, the stored log and phase messages, log pages and their API). Only this module makes
 * it, so a new surface cannot forget to mask.
 */
export type MaskedText = string & { readonly [maskedText]: true };

/** What a hidden value becomes, as on GitHub Actions. */
export const MASK = "***";

/**
 * Values with fewer characters (leading and trailing white space aside) are not masked: hiding
 * every `ab` would make a log unreadable and give the value away by where the `***` fall, and
 * no real secret is that short. GitHub Actions masks any non-empty value; Azure Pipelines has
 * the same kind of floor (MinSecretLength).
 */
export const MIN_MASKED_LENGTH = 4;

/**
 * Forms made only of these are not masked: `***` is the mask itself, and runs of backticks or
 * tildes are the code fences around a check run's log excerpt, which masking must never break.
 */
const MARKUP_ONLY = /^[*`~]+$/;
const LINE_BREAKS = /\r\n|\n|\r/;

export interface Masker {
  /** The text with every form of every value replaced by `***`; overlapping forms become one `***`. */
  mask(text: string): MaskedText;
  /** Hides one more value from now on (a value the build masked itself, a secret found later). */
  add(value: string): void;
}

/**
 * The strings to hide for one value: the value, trimmed, with LF and with CRLF line ends; each line
 * of a multi-line value, trimmed; and of each of those, the UTF-8 Base64 (standard and URL-safe,
 * padded and not, whole and at each alignment inside a longer Base64 text), the URL encoding
 * (`%20` and `+` for a space), the JSON string escaping (as JSON.stringify writes it, and with
 * `\uXXXX` for non-ASCII as Python's json does) and the escaping of a workflow command's data and
 * properties (`%25`, `%0A`, `%3A`…: the app decodes those into annotations, and shows the command lines). Forms that hold a line break are left to their
 * lines: masking works line by line. Markdown's backslash escapes need no forms of their own
 * (see `mask`).
 */
export function maskForms(value: string): string[] {
  if (!maskable(value)) return [];
  const bases = new Set<string>();
  for (const whole of [value, value.replace(/\r\n|\r/g, "\n"), value.replace(/\r\n|\r|\n/g, "\r\n")]) bases.add(whole).add(whole.trim());
  if (LINE_BREAKS.test(value)) for (const line of value.split(LINE_BREAKS)) if (maskable(line)) bases.add(line.trim());
  const forms = new Set<string>();
  for (const base of bases) {
    for (const form of [base, ...base64Forms(base), ...urlForms(base), ...jsonForms(base), encodeCommandData(base), encodeCommandProperty(base)])
      forms.add(form);
  }
  return [...forms].filter((form) => maskable(form) && !LINE_BREAKS.test(form));
}

export function createMasker(values: Iterable<string> = []): Masker {
  return new FormMasker(values);
}

/**
 * A masked text cut to `max` characters with a note of what was left out (a long log line): a cut
 * shows nothing the whole did not, since masking came first.
 */
export function cutMasked(text: MaskedText, max?: number): MaskedText {
  return cutLogLine(text, max) as MaskedText;
}

function maskable(form: string): boolean {
  const visible = form.trim();
  return [...visible].length >= MIN_MASKED_LENGTH && !MARKUP_ONLY.test(visible);
}

/**
 * A value inside a longer Base64 text is encoded from a byte offset 0, 1 or 2 within a 3-byte
 * group; each offset gives different characters. Encoding the value behind that many filler
 * bytes and keeping only the characters made of the value's bits alone gives the part every
 * such text contains. The one character on either side that mixes in neighbouring bytes stays
 * visible: it holds at most 4 of the value's bits.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const whole = bytes.toString("base64");
  const aligned = [0, 1, 2].map((filler) => {
    const encoded = Buffer.concat([Buffer.alloc(filler), bytes]).toString("base64");
    return encoded.slice(Math.ceil((4 * filler) / 3), Math.floor((4 * (filler + bytes.length)) / 3));
  });
  return [whole, whole.replace(/=+$/, ""), ...aligned].flatMap((form) => [form, form.replace(/\+/g, "-").replace(/\//g, "_")]);
}

function urlForms(value: string): string[] {
  try {
    const encoded = encodeURIComponent(value);
    return [encoded, encoded.replace(/%20/g, "+")];
  } catch {
    // A lone surrogate has no URL encoding; nothing can write the value that way.
    return [];
  }
}

function jsonForms(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  const asciiOnly = escaped.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [escaped, asciiOnly];
}

/** CommonMark lets a backslash escape any ASCII punctuation character; escapeMarkdown (checks/markdown.ts) escapes them all. */
function isAsciiPunctuation(code: number): boolean {
  return (code >= 0x21 && code <= 0x2f) || (code >= 0x3a && code <= 0x40) || (code >= 0x5b && code <= 0x60) || (code >= 0x7b && code <= 0x7e);
}

const BACKSLASH = 0x5c;
const AT = 0x40;
/** What escapeMarkdown puts after `@` so that GitHub makes no mention of it. */
const ZERO_WIDTH_SPACE = 0x200b;

/**
 * The text as a reader sees it once markdown is rendered: `\X` (X ASCII punctuation) is X, and a
 * zero-width space after `@` is nothing. Each character of the view keeps where it came from, so a
 * span found in the view covers whole escapes in the text and masking never leaves a backslash
 * escaping a `*` of the mask, nor a character unescaped. In plain text the view only differs where
 * a backslash stands before punctuation, and then masks a little more, never less.
 */
interface TextView {
  text: string;
  /** Where each character of the view starts and ends in the text; absent when the view is the text. */
  starts?: Int32Array;
  ends?: Int32Array;
}

function viewOf(text: string): TextView {
  if (!text.includes("\\") && !text.includes("\u200b")) return { text };
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  let view = "";
  let runStart = 0;
  let length = 0;
  const push = (from: number, to: number, char?: string) => {
    starts[length] = from;
    ends[length] = to;
    length++;
    if (char !== undefined) view += char;
  };
  for (let i = 0; i < text.length;) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH && isAsciiPunctuation(text.charCodeAt(i + 1))) {
      view += text.slice(runStart, i);
      push(i, i + 2, text[i + 1]);
      i += 2;
      runStart = i;
    } else if (code === ZERO_WIDTH_SPACE && i > 0 && text.charCodeAt(i - 1) === AT) {
      view += text.slice(runStart, i);
      i++;
      runStart = i;
    } else {
      push(i, i + 1);
      i++;
    }
  }
  view += text.slice(runStart);
  return { text: view, starts, ends };
}

class FormMasker implements Masker {
  private readonly values = new Set<string>();
  private readonly forms = new Set<string>();
  private search: FormSearch | undefined;

  constructor(values: Iterable<string>) {
    for (const value of values) this.add(value);
  }

  add(value: string): void {
    if (this.values.has(value)) return;
    this.values.add(value);
    for (const form of maskForms(value)) {
      if (this.forms.has(form)) continue;
      this.forms.add(form);
      this.search = undefined;
    }
  }

  /** Line by line (forms never span a line break), over the text as a markdown reader sees it. */
  mask(text: string): MaskedText {
    if (this.forms.size === 0) return text as MaskedText;
    this.search ??= new FormSearch(this.forms);
    const view = viewOf(text);
    const spans = this.search.coveredSpans(view.text);
    if (spans.length === 0) return text as MaskedText;
    let masked = "";
    let from = 0;
    for (const [start, end] of spans) {
      const rawStart = view.starts ? view.starts[start]! : start;
      const rawEnd = view.ends ? view.ends[end - 1]! : end;
      masked += text.slice(from, rawStart) + MASK;
      from = rawEnd;
    }
    return (masked + text.slice(from)) as MaskedText;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Aho–Corasick over UTF-16 code units: every occurrence of every form in one pass over the text,
 * however many forms there are (a regex of thousands of alternatives tries each at every position).
 */
class FormSearch {
  /** Transitions keyed by `node * 0x10000 + code unit`: one map instead of one per node. */
  private readonly edges = new Map<number, number>();
  private readonly fail: Int32Array;
  /** Length of the longest form that ends at each node (0 when none does). */
  private readonly longest: Int32Array;

  constructor(forms: Iterable<string>) {
    const parent = [0];
    const unit = [0];
    const depth = [0];
    const ending = [0];
    for (const form of forms) {
      let node = 0;
      for (let i = 0; i < form.length; i++) {
        const key = node * 0x10000 + form.charCodeAt(i);
        let next = this.edges.get(key);
        if (next === undefined) {
          next = parent.length;
          this.edges.set(key, next);
          parent.push(node);
          unit.push(form.charCodeAt(i));
          depth.push(i + 1);
          ending.push(0);
        }
        node = next;
      }
      ending[node] = form.length;
    }
    this.fail = new Int32Array(parent.length);
    this.longest = new Int32Array(parent.length);
    const byDepth = parent.map((_, node) => node).sort((a, b) => depth[a]! - depth[b]!);
    for (const node of byDepth) {
      if (node === 0) continue;
      const up = parent[node]!;
      this.fail[node] = up === 0 ? 0 : this.step(this.fail[up]!, unit[node]!);
      this.longest[node] = ending[node] || this.longest[this.fail[node]!]!;
    }
  }

  /** [start, end) of each stretch of the text covered by forms, in order, overlapping ones merged; no stretch spans a line break. */
  coveredSpans(text: string): [number, number][] {
    const spans: [number, number][] = [];
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === LF || code === CR) {
        node = 0;
        continue;
      }
      node = this.step(node, code);
      const length = this.longest[node]!;
      if (length === 0) continue;
      let start = i + 1 - length;
      while (spans.length > 0 && spans[spans.length - 1]![1] > start) start = Math.min(start, spans.pop()![0]);
      spans.push([start, i + 1]);
    }
    return spans;
  }

  private step(from: number, code: number): number {
    let node = from;
    for (;;) {
      const next = this.edges.get(node * 0x10000 + code);
      if (next !== undefined) return next;
      if (node === 0) return 0;
      node = this.fail[node]!;
    }
  }
}
