/** A variable's name: anchored at both ends, one character class per part (linear time). */
export const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Set by the app on every build (SPEC 3, layer 5); nobody else may set them. */
export const IDENTITY_NAMES = ["PROJECT_ID", "REPO_URL", "COMMIT_SHA", "BRANCH", "BASE_BRANCH", "PR_NUMBER", "ENVIRONMENT", "DEPLOYMENT_ID"] as const;
export type IdentityName = (typeof IDENTITY_NAMES)[number];

/** One value: 16 KiB of UTF-8 (SPEC 3). */
export const MAX_VALUE_BYTES = 16 * 1024;
/** All of a build's variables together; larger environments make every build command fail (SPEC 3). */
export const MAX_ENVIRONMENT_BYTES = 256 * 1024;

const identity = new Set<string>(IDENTITY_NAMES);

/** Why a variable name cannot be set by a user, or null when it can. */
export function variableNameProblem(name: string): string | null {
  if (!VARIABLE_NAME.test(name)) {
    return `${JSON.stringify(name)} is not a valid variable name: use capital letters, digits and _, not starting with a digit`;
  }
  if (name.startsWith("CODEBUILD_")) {
    return `${name} is reserved: names starting with CODEBUILD_ belong to CodeBuild`;
  }
  if (identity.has(name)) {
    return `${name} is reserved: the app sets it on every build`;
  }
  return null;
}

/** Why a value cannot be stored, or null when it can. */
export function variableValueProblem(name: string, value: string): string | null {
  const bytes = Buffer.byteLength(value, "utf8");
  return bytes > MAX_VALUE_BYTES ? `${name} is ${bytes} bytes long; a value may be at most ${MAX_VALUE_BYTES} bytes (16 KiB)` : null;
}

/**
 * What one build may hide with `::add-mask::` (SPEC 5: caps on add-mask values): every value costs
 * memory and time in each masker that knows it (its forms: Base64, URL, JSON, lines), in the
 * watcher, on log pages and in the sealed copy kept with the build, so a build cannot make the app
 * use unbounded memory. Far above what builds mask (a few tokens); GitHub documents no limit.
 */
export const ADD_MASK_MAX_VALUES = 100;
/** …and their UTF-8 bytes together, the value as written and as decoded both counting. */
export const ADD_MASK_MAX_BYTES = 16 * 1024;
