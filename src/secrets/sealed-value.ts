import { z } from "zod";
import type { VariableScope } from "../domain/variables.js";
import type { AppKeyPair } from "./app-key.js";
import { decodeBase64, open, seal } from "./sealed-box.js";
import { GITHUB_DELIVERY_RETENTION_MS } from "../domain/github-deliveries.js";
import { VARIABLE_NAME } from "../domain/variable-names.js";

/** SPEC 6: a secret's value written `KEY=sealed:BASE64`. */
export const SEALED_VALUE_PREFIX = "sealed:";

/** Where the app serves the page that seals a value in the browser. */
export const SEAL_PAGE_PATH = "/seal";

/**
 * How long a value the app seals at intake stays good: as long as GitHub lets its delivery be
 * redelivered, the window in which intake expects to process it.
 */
export const INTAKE_SEAL_LIFETIME_MS = GITHUB_DELIVERY_RETENTION_MS;

/** What a sealed value is bound to: it is refused for any other repository, environment or key. */
export interface SealedValueBinding {
  repositoryId: number;
  environment: VariableScope;
  key: string;
}

/** SPEC 6: the JSON inside a sealed value, as the /seal page makes it. */
export const sealedPayloadSchema = z.object({
  repository_id: z.number().int().positive(),
  environment: z.enum(["all", "production", "preview"]),
  key: z.string().regex(VARIABLE_NAME),
  value: z.string(),
  expires_at: z.iso.datetime({ offset: true }),
});
export type SealedPayload = z.infer<typeof sealedPayloadSchema>;

export type SealedValueProblemCode = "not_base64" | "cannot_open" | "malformed" | "mismatch" | "expired";

export type OpenedSealedValue =
  | { ok: true; value: string }
  /** `problem` is a sentence for the command's reply: it names what was wrong, never the value. */
  | { ok: false; code: SealedValueProblemCode; problem: string };

/**
 * The /seal page, with the repository, environment and key filled in when given: for replies that
 * ask for a sealed value. `publicUrl` is PUBLIC_URL (no trailing slash).
 */
export function sealPageUrl(publicUrl: string, binding?: SealedValueBinding): string {
  if (!binding) return `${publicUrl}${SEAL_PAGE_PATH}`;
  const query = new URLSearchParams({ repository_id: String(binding.repositoryId), environment: binding.environment, key: binding.key });
  return `${publicUrl}${SEAL_PAGE_PATH}?${query.toString()}`;
}

/** The Base64 part of `sealed:BASE64`, or undefined when the value is not written sealed. */
export function sealedBase64(written: string): string | undefined {
  return written.startsWith(SEALED_VALUE_PREFIX) ? written.slice(SEALED_VALUE_PREFIX.length) : undefined;
}

/**
 * The value sealed in `base64` (the text after `sealed:`), when it opens with the app's key, holds
 * the /seal page's JSON, is bound to exactly the command's repository, environment and key, and
 * has not expired at `now`; otherwise what was wrong, in words for the reply.
 */
export function openSealedValue(keyPair: AppKeyPair, base64: string, expected: SealedValueBinding, now: Date): OpenedSealedValue {
  const name = `\`${expected.key}\``;
  const again = `Seal the value again on the app's \`${SEAL_PAGE_PATH}\` page and paste the command it gives.`;
  if (!decodeBase64(base64)) {
    return refuse(
      "not_base64",
      `The sealed value of ${name} is not Base64: the command must carry the whole text after \`${SEALED_VALUE_PREFIX}\`, in one piece. ${again}`,
    );
  }
  const opened = open(keyPair, base64);
  if (opened === undefined) {
    return refuse(
      "cannot_open",
      `The sealed value of ${name} cannot be opened with this app's key (id \`${keyPair.keyId}\`): it was sealed with another key, or changed after sealing. ${again}`,
    );
  }
  const payload = parsePayload(opened);
  if (!payload) {
    return refuse(
      "malformed",
      `The sealed value of ${name} does not hold what the \`${SEAL_PAGE_PATH}\` page seals (\`repository_id\`, \`environment\`, \`key\`, \`value\`, \`expires_at\`). ${again}`,
    );
  }
  const mismatches = bindingMismatches(payload, expected);
  if (mismatches.length > 0) {
    return refuse(
      "mismatch",
      `The sealed value of ${name} was sealed ${mismatches.join(", ")}: a sealed value works only for the repository, environment and key it was sealed for. ${again}`,
    );
  }
  if (Date.parse(payload.expires_at) <= now.getTime()) {
    return refuse("expired", `The sealed value of ${name} expired at ${new Date(payload.expires_at).toISOString()}. ${again}`);
  }
  return { ok: true, value: payload.value };
}

/** The JSON of SPEC 6 sealed to `publicKey`, as Base64: what the /seal page does in the browser. */
export function sealValue(publicKey: Uint8Array, binding: SealedValueBinding, value: string, expiresAt: Date): string {
  const payload: SealedPayload = {
    repository_id: binding.repositoryId,
    environment: binding.environment,
    key: binding.key,
    value,
    expires_at: expiresAt.toISOString(),
  };
  return seal(publicKey, JSON.stringify(payload));
}

/**
 * A secret value written plain in a comment, sealed by intake before it records the command
 * (SPEC 8), as Base64. It is the same JSON as the /seal page's, so openSealedValue opens both;
 * it stays good for INTAKE_SEAL_LIFETIME_MS.
 */
export function sealForIntake(publicKey: Uint8Array, binding: SealedValueBinding, value: string, now: Date): string {
  return sealValue(publicKey, binding, value, new Date(now.getTime() + INTAKE_SEAL_LIFETIME_MS));
}

function parsePayload(json: string): SealedPayload | undefined {
  try {
    const parsed = sealedPayloadSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Each field that differs, as "for X, not Y"; the values compared are ids and names, never the secret. */
function bindingMismatches(payload: SealedPayload, expected: SealedValueBinding): string[] {
  const mismatches: string[] = [];
  if (payload.repository_id !== expected.repositoryId) {
    mismatches.push(`for repository id \`${payload.repository_id}\`, not this repository's \`${expected.repositoryId}\``);
  }
  if (payload.environment !== expected.environment) {
    mismatches.push(`for environment \`${payload.environment}\`, not \`${expected.environment}\``);
  }
  if (payload.key !== expected.key) {
    mismatches.push(`for key \`${payload.key}\`, not \`${expected.key}\``);
  }
  return mismatches;
}

function refuse(code: SealedValueProblemCode, problem: string): OpenedSealedValue {
  return { ok: false, code, problem };
}
