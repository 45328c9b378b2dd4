import { z } from "zod";
import type { AppKeyPair } from "./app-key.js";
import { decodeBase64 } from "./sealed-box.js";
import { sodium } from "./sodium.js";

/** Marks the form of a sealed text, so a later form can be told apart. */
const VERSION = "v1.";
/** Separates this key from any other derived from the app's key pair. */
const PURPOSE = "codebuild-checks: values kept with a build";

/**
 * What the app keeps about a build that no one else may read — the values a build hid with
 * `::add-mask::` (SPEC 5: kept encrypted with the build) — sealed with a key only the app has:
 * derived from the private half of its key pair (Secrets Manager, or the embedded secret store),
 * never stored. XChaCha20-Poly1305 with the build's deployment id as associated data, so a sealed
 * text opens only for the build it was made for, and any change to it is detected.
 */
export class BuildSeal {
  private readonly key: Uint8Array;

  constructor(keyPair: Pick<AppKeyPair, "privateKey">) {
    this.key = sodium.crypto_generichash(sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES, sodium.from_string(PURPOSE), keyPair.privateKey);
  }

  seal(deploymentId: string, value: unknown): string {
    const nonce = sodium.randombytes_buf(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    const box = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(JSON.stringify(value), sodium.from_string(deploymentId), null, nonce, this.key);
    return VERSION + Buffer.concat([nonce, box]).toString("base64");
  }

  /** The value sealed for this build, checked against `schema`; undefined when it does not open (another key or build, or altered). */
  open<T>(deploymentId: string, sealed: string, schema: z.ZodType<T>): T | undefined {
    if (!sealed.startsWith(VERSION)) return undefined;
    const bytes = decodeBase64(sealed.slice(VERSION.length));
    const nonceBytes = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (!bytes || bytes.length < nonceBytes + sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES) return undefined;
    let json: unknown;
    try {
      const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        bytes.subarray(nonceBytes),
        sodium.from_string(deploymentId),
        bytes.subarray(0, nonceBytes),
        this.key,
      );
      json = JSON.parse(Buffer.from(plain).toString("utf8"));
    } catch {
      return undefined;
    }
    const parsed = schema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  }
}
