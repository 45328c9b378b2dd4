/**
 * GitHub Actions' filter patterns (branches, tags, paths), matched in time linear in the value for
 * each pattern: a pattern is a list of tokens run as a set of states over the value, never a
 * backtracking regular expression. Patterns come from a repository's config and values from pushes,
 * so neither may be able to make the app spin (a glob compiled to a regex, `*a*a*a*a*b`, took
 * seconds on a 100-character branch name).
 *
 * As GitHub documents them: `*` any characters but `/`; `**` any characters; `?` zero or one of the
 * preceding character; `+` one or more of it; `[…]` one character listed or in a range (`[!…]` or
 * `[^…]`: one not listed); `\` makes the next character plain. `**‍/` at the start of a segment also
 * matches no directory at all (`**‍/a.yml` matches `a.yml`), and a trailing `/**` the directory itself.
 */

interface Token {
  matches(c: string): boolean;
  min: 0 | 1;
  max: 1 | typeof Infinity;
  /** A state at this token may also go straight to this one (`**‍/` matching no directory). */
  skipTo?: number;
}

const anyButSlash = (c: string) => c !== "/";
const anything = () => true;

function literal(char: string): Token {
  return { matches: (c) => c === char, min: 1, max: 1 };
}

function compile(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const previous = tokens[tokens.length - 1];
    if (char === "\\" && i + 1 < pattern.length) {
      tokens.push(literal(pattern[++i]!));
    } else if (char === "*" && pattern[i + 1] === "*") {
      const segmentStart = i === 0 || pattern[i - 1] === "/";
      i++;
      tokens.push({ matches: anything, min: 0, max: Infinity });
      if (segmentStart && pattern[i + 1] === "/") {
        tokens[tokens.length - 1]!.skipTo = tokens.length + 1;
        tokens.push(literal("/"));
        i++;
      } else if (i === pattern.length - 1 && previous && pattern[i - 2] === "/" && previous.max === 1) {
        previous.skipTo = tokens.length;
      }
    } else if (char === "*") {
      tokens.push({ matches: anyButSlash, min: 0, max: Infinity });
    } else if ((char === "?" || char === "+") && previous && previous.min === 1 && previous.max === 1 && previous.skipTo === undefined) {
      if (char === "?") previous.min = 0;
      else tokens.push({ matches: previous.matches, min: 0, max: Infinity });
    } else if (char === "[") {
      const end = classEnd(pattern, i);
      if (end < 0) tokens.push(literal(char));
      else {
        tokens.push({ matches: characterClass(pattern.slice(i + 1, end)), min: 1, max: 1 });
        i = end;
      }
    } else {
      tokens.push(literal(char));
    }
  }
  return tokens;
}

/** Where the `]` that closes the class opened at `start` is, or -1 (a `]` first in the class is one of its characters). */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "!" || pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  const end = pattern.indexOf("]", i);
  return end;
}

function characterClass(body: string): (c: string) => boolean {
  const negated = body[0] === "!" || body[0] === "^";
  const members = negated ? body.slice(1) : body;
  const ranges: [string, string][] = [];
  for (let i = 0; i < members.length; i++) {
    const low = members[i]!;
    if (members[i + 1] === "-" && i + 2 < members.length) {
      ranges.push([low, members[i + 2]!]);
      i += 2;
    } else {
      ranges.push([low, low]);
    }
  }
  return (c) => ranges.some(([low, high]) => c >= low && c <= high) !== negated;
}

/** Whether `value` matches `pattern` as a whole: one pass over the value, the tokens' states advanced together. */
export function matchesGlob(pattern: string, value: string): boolean {
  const tokens = compile(pattern);
  let states = closure(tokens, [0]);
  for (const c of value) {
    const next: number[] = [];
    for (const state of states) {
      const token = tokens[state];
      if (!token?.matches(c)) continue;
      if (token.max === Infinity) next.push(state);
      next.push(state + 1);
    }
    states = closure(tokens, next);
    if (states.length === 0) return false;
  }
  return states.includes(tokens.length);
}

/** The states reachable from `from` without reading a character: past optional tokens, and skips. */
function closure(tokens: readonly Token[], from: readonly number[]): number[] {
  const seen = new Set<number>();
  const pending = [...from];
  while (pending.length > 0) {
    const state = pending.pop()!;
    if (seen.has(state)) continue;
    seen.add(state);
    const token = tokens[state];
    if (!token) continue;
    if (token.min === 0) pending.push(state + 1);
    if (token.skipTo !== undefined) pending.push(token.skipTo);
  }
  return [...seen];
}

/**
 * Whether `value` passes a GitHub Actions filter: patterns are read in order, `!pattern`
 * excludes what earlier patterns included, a later pattern includes it again; a value
 * that no pattern matches does not pass.
 */
export function matchesFilter(value: string, patterns: readonly string[]): boolean {
  let passes = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    if (matchesGlob(negated ? pattern.slice(1) : pattern, value)) passes = !negated;
  }
  return passes;
}

/** The changed files that `on.paths` lets through (all when it is empty) and `on.paths_ignore` does not drop. */
export function filesPassingPathFilters(files: readonly string[], paths: readonly string[], pathsIgnore: readonly string[]): string[] {
  return files.filter((file) => (paths.length === 0 || matchesFilter(file, paths)) && !matchesFilter(file, pathsIgnore));
}
