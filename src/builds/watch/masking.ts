import type { AddMaskState } from "../../variables/add-masks.js";
import { createMasker, type Masker } from "../../variables/masking.js";

/** The values that hide what the app writes about a followed build: a new object whenever they change. */
export interface BuildMasking {
  /** Values of the secrets chosen to hide the build's text (secretsToMask), as read so far. */
  readonly secrets: readonly string[];
  /** The build's own `::add-mask::` values, kept with its record. */
  readonly addMasks: AddMaskState;
}

/** A masker made once per masking: a masker's search is costly to build, and the masking of a build changes rarely. */
const maskers = new WeakMap<BuildMasking, Masker>();

/** What hides `masking`'s values; never added to (a masking that changes is a new object). */
export function maskerOf(masking: BuildMasking): Pick<Masker, "mask"> {
  let masker = maskers.get(masking);
  if (!masker) maskers.set(masking, (masker = createMasker([...masking.secrets, ...masking.addMasks.values])));
  return masker;
}

/**
 * A masker for a masking about to be made (by the log intake, value by value), to be remembered
 * for it with `keepMasker`: a copy of `from`'s, so `from`'s own stays as it was.
 */
export function growingMasker(from: BuildMasking): Masker {
  return createMasker([...from.secrets, ...from.addMasks.values]);
}

export function keepMasker(masking: BuildMasking, masker: Masker): void {
  maskers.set(masking, masker);
}

/** `masking` with `values` among its secrets; the same object when it knew them all. */
export function withSecrets(masking: BuildMasking, values: readonly string[]): BuildMasking {
  const known = new Set(masking.secrets);
  const added = values.filter((value) => !known.has(value));
  return added.length === 0 ? masking : { ...masking, secrets: [...masking.secrets, ...new Set(added)] };
}
