/**
 * GitHub refuses a check run whose `output.summary` or `output.text` is longer than 65,535
 * (REST API, "Create a check run"); counted in bytes of UTF-8 so that no reading of "characters" can exceed it.
 */
export const CHECK_OUTPUT_MAX_BYTES = 65_535;

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The end of `text` in at most `maxBytes` bytes of UTF-8, cut between characters. */
export function keepUtf8End(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - Math.max(0, maxBytes);
  // Continuation bytes (10xxxxxx) belong to the character before them.
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("utf8");
}

/** The start of `text` in at most `maxBytes` bytes of UTF-8, cut between characters. */
export function keepUtf8Prefix(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // A continuation byte (10xxxxxx) at the cut means the character before it would be split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
