import { decodeCommandData } from "../checks/workflow-escapes.js";

/**
 * Hiding secret values in everything the app writes (SPEC 5): the forms a value takes in a log,
 * and a masker that replaces every one of them by `***`.
 */

/** What a hidden value becomes, as on GitHub Actions. */
export const MASK = "***";

/**
 * Forms with fewer characters (leading and trailing white space aside) are not masked: hiding
 * every `ab` would make a log unreadable and give the value away by where the `***` fall, and
 * no real secret is that short. GitHub Actions masks any non-empty value; Azure Pipelines has
 * the same kind of floor (MinSecretLength).
 */
export const MIN_MASKED_LENGTH = 4;

/** GitHub's workflow command by which a build hides a value of its own. */
const ADD_MASK_COMMAND = "::add-mask::";

export interface Masker {
  /** The text with every form of every value replaced by `***`; overlapping forms become one `***`. */
  mask(text: string): string;
  /** Hides one more value from now on (a value the build masked itself, a secret found later). */
  add(value: string): void;
}

/**
 * The strings to hide for one value: the value; each line of a multi-line value (trimmed);
 * its UTF-8 Base64, standard and URL-safe, padded and not, whole and at each alignment inside
 * a longer Base64 text; its URL encoding (`%20` and `+` for a space); its JSON string escaping
 * (as JSON.stringify writes it, and with `\uXXXX` for non-ASCII as Python's json does).
 */
export function maskForms(value: string): string[] {
  if (!maskable(value)) return [];
  const forms = new Set([value, ...lineForms(value), ...base64Forms(value), ...urlForms(value), ...jsonForms(value)]);
  return [...forms].filter(maskable);
}

export function createMasker(values: Iterable<string> = []): Masker {
  return new FormMasker(values);
}

/**
 * The values a build hides with `::add-mask::VALUE` (SPEC 5). As GitHub's runner does, the command
 * counts only at the start of a line (after white space) and its data is unescaped (`%25`, `%0D`,
 * `%0A`); the data as written is returned too, so the command's own line shows none of it.
 */
export function extractAddMaskValues(lines: string[]): string[] {
  return lines
    .flatMap((text) => text.split("\n"))
    .flatMap((line) => {
      const command = line.trimStart();
      if (!command.startsWith(ADD_MASK_COMMAND)) return [];
      const written = command.slice(ADD_MASK_COMMAND.length).trim();
      const value = decodeCommandData(written);
      return [...new Set([value, written])].filter((v) => v !== "");
    });
}

/** Masks a chunk of a build's log, taking the values it masks itself first, so their own lines hide them too. */
export function maskLogLines(masker: Masker, lines: string[]): string[] {
  for (const value of extractAddMaskValues(lines)) masker.add(value);
  return lines.map((line) => masker.mask(line));
}


function maskable(form: string): boolean {
  const visible = form.trim();
  return [...visible].length >= MIN_MASKED_LENGTH && !/^\*+$/.test(visible);
}

function lineForms(value: string): string[] {
  return /[\r\n]/.test(value) ? value.split(/\r\n|\n|\r/).map((line) => line.trim()) : [];
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

  mask(text: string): string {
    if (this.forms.size === 0) return text;
    this.search ??= new FormSearch(this.forms);
    const spans = this.search.coveredSpans(text);
    if (spans.length === 0) return text;
    let masked = "";
    let from = 0;
    for (const [start, end] of spans) {
      masked += text.slice(from, start) + MASK;
      from = end;
    }
    return masked + text.slice(from);
  }
}

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

  /** [start, end) of each stretch of the text covered by forms, in order, overlapping ones merged. */
  coveredSpans(text: string): [number, number][] {
    const spans: [number, number][] = [];
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      node = this.step(node, text.charCodeAt(i));
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
