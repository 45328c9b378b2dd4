/** Quoted values are cut here, so that one long value cannot crowd out the other problems. */
const QUOTED_VALUE_MAX = 80;

/** How a problem's message shows the value it is about. */
export interface ValueWords {
  /** A string value, quoted. */
  quote(value: string): string;
  /** What the value is, as in "must be a number, not …". */
  describe(value: unknown): string;
}

/** A user's value in a message: a JSON string literal, cut to a readable length. */
export function quote(value: string): string {
  return JSON.stringify(value.length > QUOTED_VALUE_MAX ? `${value.slice(0, QUOTED_VALUE_MAX)}…` : value);
}

/** Values of the repository's own file: shown as written. */
export const SHOWN_VALUES: ValueWords = {
  quote,
  describe(value) {
    if (value === null || value === undefined) return "empty";
    if (typeof value === "string") return `the string ${quote(value)}`;
    return typeof value === "object" ? kindOf(value) : String(value);
  },
};

/**
 * Values from a file the repository extends: only their kind, since that file may be more private
 * than the check run that reports the problem.
 */
export const HIDDEN_VALUES: ValueWords = {
  quote: () => "(a value that is not shown)",
  describe: (value) => (value === null || value === undefined ? "empty" : kindOf(value)),
};

function kindOf(value: unknown): string {
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "true or false";
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}
