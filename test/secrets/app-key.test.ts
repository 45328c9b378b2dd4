import { APP_KEY_TAGS, AppKeyError, appKeySecretName, keyIdOf, loadOrCreateAppKey, type AppKeyPair } from "../../src/secrets/app-key.js";
import type { SecretStore } from "../../src/ports/variable-store.js";
import { MemorySecretStore } from "../support/memory-secret-store.js";

const NAME = appKeySecretName("codebuild-checks/");

/** A stored key pair as the app writes it, from a store of its own. */
async function storedKeyPair(): Promise<{ json: string; keyPair: AppKeyPair }> {
  const store = new MemorySecretStore();
  const keyPair = await loadOrCreateAppKey(store, NAME);
  return { json: store.peek(NAME)!, keyPair };
}

const writes = (store: MemorySecretStore) => store.calls.filter((call) => call.method === "put" || call.method === "createIfAbsent");

describe("appKeySecretName", () => {
  test("lives under SECRETS_PREFIX, apart from the repositories' secrets (named by numeric id)", () => {
    expect(appKeySecretName("codebuild-checks/")).toBe("codebuild-checks/app/sealing-key");
    expect(appKeySecretName("team-a/builds/")).toBe("team-a/builds/app/sealing-key");
  });
});

describe("loadOrCreateAppKey", () => {
  test("creates the key pair once, tagged as the app's and for no project, then reuses it", async () => {
    const store = new MemorySecretStore();
    const first = await loadOrCreateAppKey(store, NAME);
    const second = await loadOrCreateAppKey(store, NAME);

    expect(writes(store)).toEqual([{ method: "createIfAbsent", name: NAME, tags: APP_KEY_TAGS }]);
    expect(Object.keys(APP_KEY_TAGS)).not.toContain("codebuild-checks:project");
    expect(second).toEqual(first);
    expect(first.publicKey).toHaveLength(32);
    expect(first.privateKey).toHaveLength(32);
    expect(first.keyId).toBe(keyIdOf(first.publicKey));
  });

  test("stores both halves as Base64 JSON, and a new store gets a different key", async () => {
    const a = await storedKeyPair();
    const b = await storedKeyPair();
    expect(JSON.parse(a.json)).toEqual({
      publicKey: Buffer.from(a.keyPair.publicKey).toString("base64"),
      privateKey: Buffer.from(a.keyPair.privateKey).toString("base64"),
    });
    expect(b.keyPair.keyId).not.toBe(a.keyPair.keyId);
  });

  test("never overwrites a key that exists", async () => {
    const existing = await storedKeyPair();
    const store = new MemorySecretStore();
    await store.put(NAME, existing.json, {});
    store.calls.length = 0;

    const loaded = await loadOrCreateAppKey(store, NAME);
    expect(loaded).toEqual(existing.keyPair);
    expect(writes(store)).toEqual([]);
  });

  test("two replicas starting together converge on one key: only one creation takes", async () => {
    const store = new MemorySecretStore();
    const [a, b] = await Promise.all([loadOrCreateAppKey(store, NAME), loadOrCreateAppKey(store, NAME)]);
    expect(writes(store)).toHaveLength(2);
    expect(a).toEqual(b);
    expect(JSON.parse(store.peek(NAME)!).publicKey).toBe(Buffer.from(a.publicKey).toString("base64"));
  });

  test("a replica that loses the race to create adopts the key the store keeps", async () => {
    const winner = await storedKeyPair();
    const store = new MemorySecretStore();
    const racing: SecretStore = {
      put: (...args) => store.put(...args),
      delete: (name) => store.delete(name),
      tag: (...args) => store.tag(...args),
      getValue: (name) => store.getValue(name),
      createIfAbsent: async (name, value, tags) => {
        await store.createIfAbsent(name, winner.json, {});
        return store.createIfAbsent(name, value, tags);
      },
    };
    expect(await loadOrCreateAppKey(racing, NAME)).toEqual(winner.keyPair);
  });

  test("a key that cannot be read back after writing is an error that says what to check", async () => {
    const writeOnly: SecretStore = {
      put: async () => ({ arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${NAME}-AbCdEf` }),
      createIfAbsent: async () => true,
      getValue: async () => undefined,
      delete: async () => undefined,
      tag: async () => undefined,
    };
    await expect(loadOrCreateAppKey(writeOnly, NAME)).rejects.toThrow(
      new AppKeyError(`The app's sealing key ${NAME} was written but cannot be read back: check that the app may read its own secrets`),
    );
  });

  test.each([
    ["not JSON", () => "private-key-material-XYZ"],
    ["JSON of another shape", () => JSON.stringify({ key: "private-key-material-XYZ" })],
    ["halves that are not Base64", () => JSON.stringify({ publicKey: "private-key-material-XYZ!", privateKey: "private-key-material-XYZ!" })],
    ["halves of the wrong size", () => JSON.stringify({ publicKey: "AAAA", privateKey: "private/key/material/XYZ" })],
  ])("refuses a stored value that is %s, without repeating it", async (_case, stored) => {
    const store = new MemorySecretStore();
    await store.put(NAME, stored(), {});
    const failure = loadOrCreateAppKey(store, NAME);
    await expect(failure).rejects.toThrow(AppKeyError);
    await expect(failure).rejects.toThrow(`The app's sealing key ${NAME} is not a key pair this app wrote: delete that secret`);
    await expect(failure).rejects.not.toThrow("private-key-material-XYZ");
    expect(writes(store)).toHaveLength(1);
  });

  test("refuses halves of two different key pairs", async () => {
    const a = await storedKeyPair();
    const b = await storedKeyPair();
    const store = new MemorySecretStore();
    await store.put(NAME, JSON.stringify({ publicKey: JSON.parse(a.json).publicKey, privateKey: JSON.parse(b.json).privateKey }), {});
    await expect(loadOrCreateAppKey(store, NAME)).rejects.toThrow(AppKeyError);
  });
});

describe("keyIdOf", () => {
  test("16 hex digits of the public key's SHA-256", () => {
    expect(keyIdOf(new Uint8Array(32))).toBe("66687aadf862bd77");
    expect(keyIdOf(new Uint8Array(32).fill(1))).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(new Uint8Array(32).fill(1))).not.toBe(keyIdOf(new Uint8Array(32)));
  });
});
