/**
 * Escapes in the data of GitHub's workflow commands (actions/runner, ActionCommand): `%25`, `%0D`
 * and `%0A`; properties also escape `%3A` and `%2C`.
 */
export const COMMAND_DATA_ESCAPES: Readonly<Record<string, string>> = { "%25": "%", "%0D": "\r", "%0A": "\n" };
export const COMMAND_PROPERTY_ESCAPES: Readonly<Record<string, string>> = { ...COMMAND_DATA_ESCAPES, "%3A": ":", "%2C": "," };

/** A workflow command's data as the runner reads it: escapes decoded in one pass. */
export function decodeCommandData(data: string): string {
  return data.replace(/%(?:25|0D|0A)/g, (escape) => COMMAND_DATA_ESCAPES[escape] ?? escape);
}

/** How the runner's toolkit escapes a workflow command's data (`%`, CR, LF) and, for properties, `:` and `,` too. */
export function encodeCommandData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function encodeCommandProperty(text: string): string {
  return encodeCommandData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
