import picomatch from "picomatch";

/**
 * GitHub Actions' `**` matches any characters, `/` included, wherever it stands;
 * picomatch's only when it is a whole path segment. `a**b` becomes `a{*,*\/**\/*}b`:
 * `a*b` within one segment, or across any number of them.
 */
function asPicomatch(pattern: string): string {
  return pattern.replace(/(?<=[^/])\*\*|\*\*(?=[^/])/g, "{*,*/**/*}");
}

function matcher(pattern: string): (value: string) => boolean {
  return picomatch(asPicomatch(pattern), { dot: true, nonegate: true });
}

/**
 * Whether `value` passes a GitHub Actions filter: patterns are read in order, `!pattern`
 * excludes what earlier patterns included, a later pattern includes it again; a value
 * that no pattern matches does not pass. `*` stops at `/`, `**` does not; dotfiles match.
 */
export function matchesFilter(value: string, patterns: readonly string[]): boolean {
  let passes = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    if (matcher(negated ? pattern.slice(1) : pattern)(value)) passes = !negated;
  }
  return passes;
}

/** The changed files that `on.paths` lets through (all when it is empty) and `on.paths_ignore` does not drop. */
export function filesPassingPathFilters(
  files: readonly string[],
  paths: readonly string[],
  pathsIgnore: readonly string[],
): string[] {
  return files.filter(
    (file) => (paths.length === 0 || matchesFilter(file, paths)) && !matchesFilter(file, pathsIgnore),
  );
}
