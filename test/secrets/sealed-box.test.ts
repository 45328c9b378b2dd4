import { decodeBase64, open, seal } from "../../src/secrets/sealed-box.js";
import { sodium } from "../../src/secrets/sodium.js";

const keyPair = sodium.crypto_box_keypair();
const otherKeyPair = sodium.crypto_box_keypair();

describe("seal and open", () => {
  test.each([
    ["a token", "ghp_0123456789abcdefABCDEF"],
    ["an empty string", ""],
    ["several lines", "-----BEGIN KEY-----\nMIIB\r\n-----END KEY-----\n"],
    ["non-ASCII text", "pässwörd 🔑 秘密"],
    ["16 KiB", "x".repeat(16 * 1024)],
  ])("round trip of %s", (_case, plaintext) => {
    expect(open(keyPair, seal(keyPair.publicKey, plaintext))).toBe(plaintext);
  });

  test("sealing is randomised: the same text never seals the same way twice", () => {
    expect(seal(keyPair.publicKey, "same")).not.toBe(seal(keyPair.publicKey, "same"));
  });

  test("a box is standard Base64 of the text plus libsodium's 48 bytes of overhead", () => {
    const sealed = seal(keyPair.publicKey, "abc");
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(sealed, "base64")).toHaveLength(3 + sodium.crypto_box_SEALBYTES);
  });

  test("the URL-safe alphabet opens too", () => {
    const sealed = Buffer.from(seal(keyPair.publicKey, "url-safe"), "base64").toString("base64url");
    expect(open(keyPair, sealed)).toBe("url-safe");
  });

  const sealed = seal(keyPair.publicKey, "secret");
  const flipped = Buffer.from(sealed, "base64");
  flipped[flipped.length - 1]! ^= 1;
  test.each([
    ["sealed to another key", otherKeyPair, sealed],
    ["changed after sealing", keyPair, flipped.toString("base64")],
    ["cut short", keyPair, sealed.slice(0, 40)],
    ["not Base64", keyPair, "not base64!"],
    ["Base64 with stray characters", keyPair, `${sealed.slice(0, 20)} ${sealed.slice(20)}`],
    ["empty", keyPair, ""],
  ])("a box %s does not open", (_case, pair, text) => {
    expect(open(pair, text)).toBeUndefined();
  });
});

describe("decodeBase64", () => {
  test.each([
    ["aGk=", [104, 105]],
    ["aGk", [104, 105]],
    ["-_8=", [251, 255]],
    ["+/8=", [251, 255]],
    ["", undefined],
    ["a b", undefined],
    ["+_8=", undefined],
    ["aGk===", undefined],
  ])("%j → %j", (text, bytes) => {
    const decoded = decodeBase64(text);
    expect(decoded && [...decoded]).toEqual(bytes);
  });
});
