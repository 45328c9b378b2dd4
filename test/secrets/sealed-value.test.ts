import { keyIdOf, type AppKeyPair } from "../../src/secrets/app-key.js";
import { seal } from "../../src/secrets/sealed-box.js";
import {
  INTAKE_SEAL_LIFETIME_MS,
  openSealedValue,
  sealedBase64,
  sealForIntake,
  sealPageUrl,
  sealValue,
  type SealedValueBinding,
} from "../../src/secrets/sealed-value.js";
import { sodium } from "../../src/secrets/sodium.js";

function appKeyPair(): AppKeyPair {
  const { publicKey, privateKey } = sodium.crypto_box_keypair();
  return { publicKey, privateKey, keyId: keyIdOf(publicKey) };
}

const appKey = appKeyPair();
const anotherAppKey = appKeyPair();
const NOW = new Date("2025-06-01T12:00:00Z");
const IN_AN_HOUR = new Date("2025-06-01T13:00:00Z");
const VALUE = "s3cr3t-Välue-🔑";
const binding: SealedValueBinding = { repositoryId: 4242, environment: "production", key: "API_TOKEN" };

/** The JSON of SPEC 6 sealed to the app, with some fields changed. */
function sealedJson(changes: Record<string, unknown>, key = appKey): string {
  const payload = { repository_id: 4242, environment: "production", key: "API_TOKEN", value: VALUE, expires_at: IN_AN_HOUR.toISOString(), ...changes };
  return seal(key.publicKey, JSON.stringify(payload));
}

describe("openSealedValue", () => {
  test("opens what the /seal page seals for this repository, environment and key", () => {
    expect(openSealedValue(appKey, sealValue(appKey.publicKey, binding, VALUE, IN_AN_HOUR), binding, NOW)).toEqual({ ok: true, value: VALUE });
  });

  test.each([
    ["an offset expiry", { expires_at: "2025-06-01T14:30:00+02:00" }],
    ["fractional seconds", { expires_at: "2025-06-01T12:00:00.001Z" }],
    ["fields it does not know", { sealed_by: "seal page v2" }],
    ["an empty value", { value: "" }],
  ])("accepts %s", (_case, changes) => {
    const opened = openSealedValue(appKey, sealedJson(changes), binding, NOW);
    expect(opened.ok).toBe(true);
  });

  const again = "Seal the value again on the app's `/seal` page and paste the command it gives.";
  test.each([
    [
      "another repository",
      sealedJson({ repository_id: 1 }),
      "mismatch",
      "The sealed value of `API_TOKEN` was sealed for repository id `1`, not this repository's `4242`: a sealed value works only for the repository, environment and key it was sealed for. " +
        again,
    ],
    [
      "another environment",
      sealedJson({ environment: "all" }),
      "mismatch",
      "The sealed value of `API_TOKEN` was sealed for environment `all`, not `production`: a sealed value works only for the repository, environment and key it was sealed for. " +
        again,
    ],
    [
      "another key",
      sealedJson({ key: "OTHER_TOKEN" }),
      "mismatch",
      "The sealed value of `API_TOKEN` was sealed for key `OTHER_TOKEN`, not `API_TOKEN`: a sealed value works only for the repository, environment and key it was sealed for. " +
        again,
    ],
    [
      "another repository, environment and key at once",
      sealedJson({ repository_id: 7, environment: "preview", key: "B" }),
      "mismatch",
      "The sealed value of `API_TOKEN` was sealed for repository id `7`, not this repository's `4242`, for environment `preview`, not `production`, for key `B`, not `API_TOKEN`: a sealed value works only for the repository, environment and key it was sealed for. " +
        again,
    ],
    [
      "an expired one",
      sealedJson({ expires_at: "2025-06-01T11:59:59Z" }),
      "expired",
      "The sealed value of `API_TOKEN` expired at 2025-06-01T11:59:59.000Z. " + again,
    ],
    [
      "one expiring this very moment",
      sealedJson({ expires_at: NOW.toISOString() }),
      "expired",
      "The sealed value of `API_TOKEN` expired at 2025-06-01T12:00:00.000Z. " + again,
    ],
    [
      "another app's",
      sealedJson({}, anotherAppKey),
      "cannot_open",
      `The sealed value of \`API_TOKEN\` cannot be opened with this app's key (id \`${appKey.keyId}\`): it was sealed with another key, or changed after sealing. ` +
        again,
    ],
    [
      "a truncated one",
      sealedJson({}).slice(0, -8),
      "cannot_open",
      `The sealed value of \`API_TOKEN\` cannot be opened with this app's key (id \`${appKey.keyId}\`): it was sealed with another key, or changed after sealing. ` +
        again,
    ],
    [
      "garbage",
      "this is not sealed",
      "not_base64",
      "The sealed value of `API_TOKEN` is not Base64: the command must carry the whole text after `sealed:`, in one piece. " + again,
    ],
    [
      "nothing",
      "",
      "not_base64",
      "The sealed value of `API_TOKEN` is not Base64: the command must carry the whole text after `sealed:`, in one piece. " + again,
    ],
  ])("refuses %s, saying why without the value", (_case, sealed, code, problem) => {
    const opened = openSealedValue(appKey, sealed, binding, NOW);
    expect(opened).toEqual({ ok: false, code, problem });
    expect(JSON.stringify(opened)).not.toContain("s3cr3t");
  });

  const malformed =
    "The sealed value of `API_TOKEN` does not hold what the `/seal` page seals (`repository_id`, `environment`, `key`, `value`, `expires_at`). " + again;
  test.each([
    ["the value alone", seal(appKey.publicKey, VALUE)],
    ["JSON that is not an object", seal(appKey.publicKey, JSON.stringify([VALUE]))],
    ["a repository name instead of its id", sealedJson({ repository_id: "octo/app" })],
    ["a repository id that is not a whole number", sealedJson({ repository_id: 42.5 })],
    ["an unknown environment", sealedJson({ environment: "staging" })],
    ["a key that is not a variable name", sealedJson({ key: "api-token" })],
    ["no value", sealedJson({ value: undefined })],
    ["a value that is not text", sealedJson({ value: 1234 })],
    ["an expiry that is not a date-time", sealedJson({ expires_at: "tomorrow" })],
    ["no expiry", sealedJson({ expires_at: undefined })],
  ])("refuses a box holding %s as malformed, without the value", (_case, sealed) => {
    const opened = openSealedValue(appKey, sealed, binding, NOW);
    expect(opened).toEqual({ ok: false, code: "malformed", problem: malformed });
    expect(JSON.stringify(opened)).not.toContain("s3cr3t");
  });
});

describe("sealForIntake", () => {
  const sealed = sealForIntake(appKey.publicKey, binding, VALUE, NOW);

  test("seals the same JSON, so openSealedValue opens it for the command's binding only", () => {
    expect(openSealedValue(appKey, sealed, binding, NOW)).toEqual({ ok: true, value: VALUE });
    expect(openSealedValue(appKey, sealed, { ...binding, environment: "preview" }, NOW)).toMatchObject({ ok: false, code: "mismatch" });
    expect(openSealedValue(anotherAppKey, sealed, binding, NOW)).toMatchObject({ ok: false, code: "cannot_open" });
  });

  test("stays good for the 3 days in which GitHub can redeliver the event", () => {
    expect(INTAKE_SEAL_LIFETIME_MS).toBe(259_200_000);
    expect(openSealedValue(appKey, sealed, binding, new Date(NOW.getTime() + INTAKE_SEAL_LIFETIME_MS - 1)).ok).toBe(true);
    expect(openSealedValue(appKey, sealed, binding, new Date(NOW.getTime() + INTAKE_SEAL_LIFETIME_MS))).toMatchObject({ ok: false, code: "expired" });
  });
});

describe("sealedBase64", () => {
  test.each([
    ["sealed:abc+/=", "abc+/="],
    ["sealed:", ""],
    ["abc", undefined],
    ["Sealed:abc", undefined],
    [" sealed:abc", undefined],
  ])("%j → %j", (written, base64) => {
    expect(sealedBase64(written)).toBe(base64);
  });
});

describe("sealPageUrl", () => {
  test.each([
    [undefined, "https://builds.example.com/seal"],
    [binding, "https://builds.example.com/seal?repository_id=4242&environment=production&key=API_TOKEN"],
  ])("%j → %s", (given, url) => {
    expect(sealPageUrl("https://builds.example.com", given)).toBe(url);
  });
});
