import { createHash } from "node:crypto";
import { z } from "zod";
import type { SecretStore } from "../ports/variable-store.js";
import { decodeBase64, type BoxKeyPair } from "./sealed-box.js";
import { sodium } from "./sodium.js";

/** The app's X25519 key pair for sealed secret values (SPEC 6 and 8); `keyId` names its public half. */
export interface AppKeyPair extends BoxKeyPair {
  keyId: string;
}

/** The half anyone may have: what `GET /api/public-key` serves. */
export type AppPublicKey = Pick<AppKeyPair, "keyId" | "publicKey">;

/**
 * The key pair's secret is tagged with its purpose and with no project: deploy/ lets a CodeBuild
 * project's role read only secrets tagged with that project, so no build can read this one.
 */
export const APP_KEY_TAGS: Readonly<Record<string, string>> = { "codebuild-checks:purpose": "app-sealing-key" };

/** The SecretStore name of the app's key pair: beside the repositories' secrets, which are named by numeric id. */
export function appKeySecretName(secretsPrefix: string): string {
  return `${secretsPrefix}app/sealing-key`;
}

/** A short name of a public key, shown with it so a user can tell which key sealed what. */
export function keyIdOf(publicKey: Uint8Array): string {
  return createHash("sha256").update(publicKey).digest("hex").slice(0, 16);
}

/** The app's key pair is missing after being written, or the stored one is not a key pair. */
export class AppKeyError extends Error {
  override name = "AppKeyError";
}

/**
 * The app's key pair, created on first use and then read from the SecretStore. Replicas starting
 * together may both find no key: the store creates a secret only when none exists, so exactly one
 * key is written and every replica uses the one the store holds.
 */
export async function loadOrCreateAppKey(store: SecretStore, name: string): Promise<AppKeyPair> {
  const stored = await store.getValue(name);
  if (stored !== undefined) return parseAppKey(stored, name);
  await store.createIfAbsent(name, serializeAppKey(sodium.crypto_box_keypair()), { ...APP_KEY_TAGS });
  const kept = await store.getValue(name);
  if (kept === undefined) {
    throw new AppKeyError(`The app's sealing key ${name} was written but cannot be read back: check that the app may read its own secrets`);
  }
  return parseAppKey(kept, name);
}

const storedKeyPair = z.object({ publicKey: z.string(), privateKey: z.string() });

function serializeAppKey(keyPair: BoxKeyPair): string {
  return JSON.stringify({
    publicKey: Buffer.from(keyPair.publicKey).toString("base64"),
    privateKey: Buffer.from(keyPair.privateKey).toString("base64"),
  });
}

/** The stored key pair, checked: both halves 32 bytes, and the public one derived from the private one. */
function parseAppKey(stored: string, name: string): AppKeyPair {
  const keyPair = decodeKeyPair(stored);
  if (!keyPair) {
    throw new AppKeyError(
      `The app's sealing key ${name} is not a key pair this app wrote: delete that secret (the app then makes a new key; values sealed to the old one must be sealed again)`,
    );
  }
  return { ...keyPair, keyId: keyIdOf(keyPair.publicKey) };
}

function decodeKeyPair(stored: string): BoxKeyPair | undefined {
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch {
    return undefined;
  }
  const parsed = storedKeyPair.safeParse(json);
  if (!parsed.success) return undefined;
  const publicKey = decodeBase64(parsed.data.publicKey);
  const privateKey = decodeBase64(parsed.data.privateKey);
  if (publicKey?.length !== sodium.crypto_box_PUBLICKEYBYTES || privateKey?.length !== sodium.crypto_box_SECRETKEYBYTES) return undefined;
  if (!sodium.memcmp(sodium.crypto_scalarmult_base(privateKey), publicKey)) return undefined;
  return { publicKey, privateKey };
}
