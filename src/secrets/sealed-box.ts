import { sodium } from "./sodium.js";

/** The private half of a key pair, with its public half (a sealed box is opened with both). */
export interface BoxKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** Base64 of a sealed box: standard alphabet with padding, or the URL-safe one; nothing else. */
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * Seals UTF-8 text to a public key (libsodium's `crypto_box_seal`: an ephemeral X25519 key and
 * XSalsa20-Poly1305), as standard Base64. Only the holder of the private key can open it.
 */
export function seal(publicKey: Uint8Array, plaintext: string): string {
  return Buffer.from(sodium.crypto_box_seal(Buffer.from(plaintext, "utf8"), publicKey)).toString("base64");
}

/** The text sealed in `base64`, or undefined when it is not Base64 or was not sealed to this key pair (or was altered). */
export function open(keyPair: BoxKeyPair, base64: string): string | undefined {
  const box = decodeBase64(base64);
  if (!box || box.length < sodium.crypto_box_SEALBYTES) return undefined;
  try {
    return Buffer.from(sodium.crypto_box_seal_open(box, keyPair.publicKey, keyPair.privateKey)).toString("utf8");
  } catch {
    return undefined;
  }
}

/** The bytes of Base64 text, or undefined when it is not Base64 (Buffer alone would skip stray characters). */
export function decodeBase64(text: string): Uint8Array | undefined {
  return BASE64.test(text) ? Buffer.from(text, "base64") : undefined;
}
