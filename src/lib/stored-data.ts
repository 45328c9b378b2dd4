import type { z } from "zod";

/**
 * True when a schema reads back exactly the type that was stored: the same keys, each assignable
 * both ways. Assigning `true` to it fails to compile once a field is added to the type and not to
 * its schema, which would otherwise drop that field silently from every item read back.
 */
export type SameShape<Read, Stored> = [Read] extends [Stored]
  ? [Stored] extends [Read]
    ? [keyof Read] extends [keyof Stored]
      ? [keyof Stored] extends [keyof Read]
        ? true
        : false
      : false
    : false
  : false;

/** Stored JSON read back: its value, or what is wrong with it in words that repeat nothing of its contents. */
export type StoredRead<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Data the app kept is input (a forged or damaged item must not be acted on): parsed and checked against its schema. */
export function readStoredJson<S extends z.ZodType>(schema: S, text: unknown): StoredRead<z.output<S>> {
  if (typeof text !== "string") return { ok: false, problems: ["expected JSON text"] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problems: ["not valid JSON"] };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(the value)"}: ${issue.message}`) };
}
