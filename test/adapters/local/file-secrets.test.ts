import { createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { jest } from "@jest/globals";
import { pino } from "pino";
import { isScheduledForDeletion } from "../../../src/adapters/aws/secrets-manager.js";
import {
  FileSecretStore,
  LOCAL_SECRET_ARN_PREFIX,
  SECRETS_FILE,
  SECRETS_KEY_FILE,
  SECRETS_KEY_VARIABLE,
  SecretsFileError,
} from "../../../src/adapters/local/file-secrets.js";
import type { SecretStore } from "../../../src/ports/variable-store.js";
import { MemorySecretStore } from "../../support/memory-secret-store.js";

const NAME = "codebuild-checks/42/all/NPM_TOKEN";
const VALUE = "s3cr3t-value-that-must-not-leak";
const TAGS = { "codebuild-checks:repository-id": "42", "codebuild-checks:environment": "all", "codebuild-checks:project": "builds" };
const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const DAY_MS = 24 * 60 * 60 * 1000;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "file-secrets-"));
  dirs.push(dir);
  return dir;
}

/** A logger whose lines are kept, to see what the store logs. */
function recordingLog() {
  const lines: string[] = [];
  return { lines, log: pino({ level: "debug" }, { write: (line: string) => void lines.push(line) }) };
}

const quiet = recordingLog().log;

function openStore(dir: string, options: { key?: string; now?: () => Date } = {}) {
  return FileSecretStore.open({ dir, log: quiet, ...options });
}

interface FileContents {
  secrets: { name: string; value: string; tags: Record<string, string>; deletionDate?: string }[];
}

/** Decrypts the data file on its own, by the documented layout: header, 96-bit IV, GCM tag, ciphertext. */
async function readSecretsFile(dir: string, key: Buffer): Promise<FileContents> {
  const bytes = await readFile(path.join(dir, SECRETS_FILE));
  const header = Buffer.from("codebuild-checks secrets v1\n");
  expect(bytes.subarray(0, header.length).equals(header)).toBe(true);
  const iv = bytes.subarray(header.length, header.length + 12);
  const tag = bytes.subarray(header.length + 12, header.length + 28);
  const decipher = createDecipheriv("aes-256-gcm", key, iv).setAAD(header);
  decipher.setAuthTag(tag);
  const plain = Buffer.concat([decipher.update(bytes.subarray(header.length + 28)), decipher.final()]);
  return JSON.parse(plain.toString("utf8")) as FileContents;
}

async function openError(dir: string, key?: string): Promise<Error> {
  return openStore(dir, key === undefined ? {} : { key }).then(
    () => {
      throw new Error("open should have failed");
    },
    (error: unknown) => error as Error,
  );
}

interface Subject {
  store: SecretStore;
  /** Tags of a secret by name, as the store keeps them. */
  tagsOf(name: string): Promise<Record<string, string> | undefined>;
  /** The store as a later instance sees it (the same one for a store in memory). */
  reopened(): Promise<SecretStore>;
}

const subjects: [string, () => Promise<Subject>][] = [
  [
    "MemorySecretStore",
    async () => {
      const store = new MemorySecretStore();
      return { store, tagsOf: async (name) => store.tagsOf(name), reopened: async () => store };
    },
  ],
  [
    "FileSecretStore",
    async () => {
      const dir = await tempDir();
      const store = await openStore(dir, { key: KEY.toString("hex") });
      return {
        store,
        tagsOf: async (name) => (await readSecretsFile(dir, KEY)).secrets.find((s) => s.name === name)?.tags,
        reopened: () => openStore(dir, { key: KEY.toString("hex") }),
      };
    },
  ],
];

/** Secrets Manager's behaviour as the app relies on it; both stores must show it. */
const behaviours: [string, (subject: Subject) => Promise<void>][] = [
  [
    "put stores a value found by name and by the ARN put returned",
    async ({ store }) => {
      const { arn } = await store.put(NAME, VALUE, TAGS);
      expect(arn).not.toBe(NAME);
      expect(await store.getValue(NAME)).toBe(VALUE);
      expect(await store.getValue(arn)).toBe(VALUE);
    },
  ],
  [
    "put on an existing secret replaces its value, keeps its ARN and adds to its tags",
    async ({ store, tagsOf }) => {
      const { arn } = await store.put(NAME, "v1", { a: "1", b: "1" });
      expect(await store.put(arn, "v2", { b: "2", c: "2" })).toEqual({ arn });
      expect(await store.getValue(NAME)).toBe("v2");
      expect(await tagsOf(NAME)).toEqual({ a: "1", b: "2", c: "2" });
    },
  ],
  [
    "getValue of a missing secret is undefined",
    async ({ store }) => {
      await store.put("other", VALUE, {});
      expect(await store.getValue(NAME)).toBeUndefined();
    },
  ],
  [
    "delete schedules deletion: the value is gone by name and ARN; deleting again or a missing secret is fine",
    async ({ store }) => {
      const { arn } = await store.put(NAME, VALUE, TAGS);
      await store.delete(arn);
      expect(await store.getValue(NAME)).toBeUndefined();
      expect(await store.getValue(arn)).toBeUndefined();
      await expect(store.delete(NAME)).resolves.toBeUndefined();
      await expect(store.delete("missing")).resolves.toBeUndefined();
    },
  ],
  [
    "put restores a secret scheduled for deletion, with the same ARN and its tags",
    async ({ store, tagsOf }) => {
      const { arn } = await store.put(NAME, "old", { a: "1" });
      await store.delete(NAME);
      expect(await store.put(NAME, "new", { b: "2" })).toEqual({ arn });
      expect(await store.getValue(arn)).toBe("new");
      expect(await tagsOf(NAME)).toEqual({ a: "1", b: "2" });
    },
  ],
  [
    "createIfAbsent creates once; later calls leave the first value and tags",
    async ({ store, tagsOf }) => {
      expect(await store.createIfAbsent(NAME, "first", { a: "1" })).toBe(true);
      expect(await store.createIfAbsent(NAME, "second", { a: "2" })).toBe(false);
      expect(await store.getValue(NAME)).toBe("first");
      expect(await tagsOf(NAME)).toEqual({ a: "1" });
    },
  ],
  [
    "createIfAbsent brings back a secret scheduled for deletion with its old value",
    async ({ store }) => {
      await store.put(NAME, "old", {});
      await store.delete(NAME);
      expect(await store.createIfAbsent(NAME, "new", {})).toBe(false);
      expect(await store.getValue(NAME)).toBe("old");
    },
  ],
  [
    "tag adds and changes tags of a secret found by ARN, leaving its value",
    async ({ store, tagsOf }) => {
      const { arn } = await store.put(NAME, VALUE, TAGS);
      await store.tag(arn, { "codebuild-checks:project": "other", extra: "x" });
      expect(await tagsOf(NAME)).toEqual({ ...TAGS, "codebuild-checks:project": "other", extra: "x" });
      expect(await store.getValue(NAME)).toBe(VALUE);
    },
  ],
  [
    "tag of a missing secret fails as Secrets Manager's ResourceNotFoundException",
    async ({ store }) => {
      const error = await store.tag("missing", { a: "1" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(String(error)).toContain("ResourceNotFoundException");
    },
  ],
  [
    "of 10 concurrent createIfAbsent calls exactly one creates, and its value is kept",
    async ({ store, reopened }) => {
      const created = await Promise.all(Array.from({ length: 10 }, (_, i) => store.createIfAbsent(NAME, `value-${i}`, {})));
      expect(created.filter(Boolean)).toHaveLength(1);
      expect(await store.getValue(NAME)).toBe(`value-${created.indexOf(true)}`);
      expect(await (await reopened()).getValue(NAME)).toBe(`value-${created.indexOf(true)}`);
    },
  ],
  [
    "50 concurrent puts all land, for this instance and a later one",
    async ({ store, reopened }) => {
      const names = Array.from({ length: 50 }, (_, i) => `p/1/all/KEY_${i}`);
      const values = names.map((_, i) => `value-${i}`);
      await Promise.all(names.map((name, i) => store.put(name, `value-${i}`, { i: String(i) })));
      expect(await Promise.all(names.map((name) => store.getValue(name)))).toEqual(values);
      const later = await reopened();
      expect(await Promise.all(names.map((name) => later.getValue(name)))).toEqual(values);
    },
  ],
];

describe.each(subjects)("%s behaves as Secrets Manager", (_store, make) => {
  test.each(behaviours)("%s", async (_behaviour, check) => {
    await check(await make());
  });
});

describe("FileSecretStore", () => {
  test("ARNs are stable pseudo-ARNs of the name", async () => {
    const store = await openStore(await tempDir(), { key: KEY.toString("hex") });
    expect(await store.put(NAME, VALUE, {})).toEqual({ arn: `arn:local:secretsmanager:embedded:000000000000:secret:${NAME}` });
    expect(LOCAL_SECRET_ARN_PREFIX).toBe("arn:local:secretsmanager:embedded:000000000000:secret:");
  });

  test("secrets, tags and scheduled deletions persist across instances", async () => {
    const dir = await tempDir();
    const first = await openStore(dir);
    const { arn } = await first.put(NAME, VALUE, TAGS);
    await first.put("gone", "x", {});
    await first.delete("gone");
    const second = await openStore(dir);
    expect(await second.getValue(arn)).toBe(VALUE);
    expect(await second.getValue("gone")).toBeUndefined();
    expect(await second.createIfAbsent(NAME, "other", {})).toBe(false);
    expect(await second.createIfAbsent("gone", "other", {})).toBe(false);
    expect(await second.getValue("gone")).toBe("x");
    expect(second.description).toBe(`encrypted file ${path.join(dir, SECRETS_FILE)} (key from ${path.join(dir, SECRETS_KEY_FILE)})`);
  });

  test("the directory is created 0700, the data and key files are 0600, and no temporary file is left", async () => {
    const dir = path.join(await tempDir(), "data");
    const store = await openStore(dir);
    await Promise.all([store.put(NAME, VALUE, TAGS), store.put("b", "v", {}), store.delete("b")]);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, SECRETS_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, SECRETS_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual([SECRETS_FILE, SECRETS_KEY_FILE].sort());
  });

  test("the file holds neither values, names nor tags in plain text, and each write has a new IV", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { key: KEY.toString("base64") });
    await store.put(NAME, VALUE, TAGS);
    const once = await readFile(path.join(dir, SECRETS_FILE));
    for (const plain of [VALUE, NAME, "NPM_TOKEN", "codebuild-checks:project", "builds"]) expect(once.includes(plain)).toBe(false);
    await store.put(NAME, VALUE, TAGS);
    const twice = await readFile(path.join(dir, SECRETS_FILE));
    const ivAt = Buffer.byteLength("codebuild-checks secrets v1\n");
    expect(twice.subarray(ivAt, ivAt + 12).equals(once.subarray(ivAt, ivAt + 12))).toBe(false);
    expect(await readSecretsFile(dir, KEY)).toEqual({ secrets: [{ name: NAME, value: VALUE, tags: TAGS }] });
  });

  test("a generated key is written once and used by later instances; a given key writes no key file", async () => {
    const generated = await tempDir();
    const { log, lines } = recordingLog();
    await FileSecretStore.open({ dir: generated, log });
    const keyText = await readFile(path.join(generated, SECRETS_KEY_FILE), "utf8");
    expect(Buffer.from(keyText.trim(), "base64")).toHaveLength(32);
    await (await FileSecretStore.open({ dir: generated, log })).put(NAME, VALUE, {});
    expect(await readFile(path.join(generated, SECRETS_KEY_FILE), "utf8")).toBe(keyText);
    expect(lines.filter((line) => line.includes("Generated the key"))).toHaveLength(1);
    expect((await readSecretsFile(generated, Buffer.from(keyText.trim(), "base64"))).secrets.map((s) => s.name)).toEqual([NAME]);

    const given = await tempDir();
    await (await openStore(given, { key: KEY.toString("hex") })).put(NAME, VALUE, {});
    expect(await readdir(given)).toEqual([SECRETS_FILE]);
  });

  test.each([
    ["hex, upper case", KEY.toString("hex").toUpperCase()],
    ["base64", KEY.toString("base64")],
    ["base64 without padding", KEY.toString("base64").replace(/=$/, "")],
    ["base64url", KEY.toString("base64url")],
    ["base64 with a trailing newline", `${KEY.toString("base64")}\n`],
  ])("%s of the same key opens the file", async (_format, key) => {
    const dir = await tempDir();
    await (await openStore(dir, { key: KEY.toString("hex") })).put(NAME, VALUE, {});
    expect(await (await openStore(dir, { key })).getValue(NAME)).toBe(VALUE);
  });

  test("an empty LOCAL_SECRETS_KEY counts as unset", async () => {
    const dir = await tempDir();
    await openStore(dir, { key: "" });
    expect(await readdir(dir)).toEqual([SECRETS_KEY_FILE]);
  });

  test.each([
    ["too short", randomBytes(16).toString("base64")],
    ["one hex character short", KEY.toString("hex").slice(1)],
    ["not hex", "z".repeat(64)],
    ["too long", randomBytes(48).toString("base64")],
    ["a passphrase", "correct horse battery staple"],
  ])("a LOCAL_SECRETS_KEY that is %s is refused naming the variable, without repeating it", async (_case, key) => {
    const error = await openError(await tempDir(), key);
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error.message).toContain(SECRETS_KEY_VARIABLE);
    expect(error.message).toContain("32 bytes as base64");
    expect(error.message).not.toContain(key);
  });

  test("a key file that holds no key is refused naming the file", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, SECRETS_KEY_FILE), "not a key\n");
    const error = await openError(dir);
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error.message).toContain(path.join(dir, SECRETS_KEY_FILE));
  });

  test("a file written with another key in LOCAL_SECRETS_KEY is refused, and left as it is", async () => {
    const dir = await tempDir();
    await (await openStore(dir, { key: KEY.toString("hex") })).put(NAME, VALUE, {});
    const before = await readFile(path.join(dir, SECRETS_FILE));
    const error = await openError(dir, OTHER_KEY.toString("hex"));
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error.message).toContain(`${path.join(dir, SECRETS_FILE)} cannot be decrypted with the key in ${SECRETS_KEY_VARIABLE}`);
    expect(error.message).toContain("written with another key");
    expect(error.message).not.toContain(OTHER_KEY.toString("hex"));
    expect((await readFile(path.join(dir, SECRETS_FILE))).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual([SECRETS_FILE]);
  });

  test("a file written with another key file is refused naming the key file", async () => {
    const dir = await tempDir();
    await (await openStore(dir)).put(NAME, VALUE, {});
    await writeFile(path.join(dir, SECRETS_KEY_FILE), `${OTHER_KEY.toString("base64")}\n`, { mode: 0o600 });
    const error = await openError(dir);
    expect(error.message).toContain(`cannot be decrypted with the key in ${path.join(dir, SECRETS_KEY_FILE)}`);
    expect(error.message).toContain(SECRETS_KEY_VARIABLE);
  });

  test("secrets without their key file are refused rather than replaced by an empty store", async () => {
    const dir = await tempDir();
    await (await openStore(dir)).put(NAME, VALUE, {});
    await rm(path.join(dir, SECRETS_KEY_FILE));
    const error = await openError(dir);
    expect(error.message).toBe(
      `${path.join(dir, SECRETS_FILE)} holds secrets but there is no key: set ${SECRETS_KEY_VARIABLE} to the key it was written with, or restore ${path.join(dir, SECRETS_KEY_FILE)}.`,
    );
    expect(await readdir(dir)).toEqual([SECRETS_FILE]);
  });

  test.each([
    ["not a secrets file", () => Buffer.from('{"secrets":[]}'), "is not a secrets file of codebuild-checks"],
    ["truncated", (bytes: Buffer) => bytes.subarray(0, 40), "is not a secrets file of codebuild-checks"],
    ["altered", (bytes: Buffer) => Buffer.concat([bytes.subarray(0, -1), Buffer.from([(bytes.at(-1) ?? 0) ^ 1])]), "or is damaged"],
  ])("a file that is %s is refused", async (_case, damage, message) => {
    const dir = await tempDir();
    await (await openStore(dir, { key: KEY.toString("hex") })).put(NAME, VALUE, {});
    const file = path.join(dir, SECRETS_FILE);
    await writeFile(file, damage(await readFile(file)));
    const error = await openError(dir, KEY.toString("hex"));
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error.message).toContain(file);
    expect(error.message).toContain(message);
  });

  test("a secret is gone for good once its 7-day recovery window ends, and purged from the file", async () => {
    const dir = await tempDir();
    let now = Date.parse("2024-05-01T12:00:00Z");
    const store = await openStore(dir, { key: KEY.toString("hex"), now: () => new Date(now) });
    await store.put(NAME, "old", { a: "1" });
    await store.put("other", "x", {});
    await store.delete(NAME);
    await store.delete("other");
    expect((await readSecretsFile(dir, KEY)).secrets.find((s) => s.name === NAME)?.deletionDate).toBe("2024-05-08T12:00:00.000Z");
    now += 7 * DAY_MS - 1;
    expect(await store.createIfAbsent("other", "y", {})).toBe(false);
    now += 1;
    expect(await store.getValue(NAME)).toBeUndefined();
    await store.put(NAME, "new", { b: "2" });
    expect((await readSecretsFile(dir, KEY)).secrets).toEqual([
      { name: "other", value: "x", tags: {} },
      { name: NAME, value: "new", tags: { b: "2" } },
    ]);
  });

  test("tagging a secret scheduled for deletion is refused as Secrets Manager refuses it", async () => {
    const store = await openStore(await tempDir(), { key: KEY.toString("hex") });
    await store.put(NAME, VALUE, TAGS);
    await store.delete(NAME);
    const error = await store.tag(NAME, { a: "1" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isScheduledForDeletion(error)).toBe(true);
  });

  test("a failed write changes nothing, and later changes still run", async () => {
    const dir = await tempDir();
    const store = await openStore(dir, { key: KEY.toString("hex") });
    await store.put(NAME, "v1", {});
    const file = path.join(dir, SECRETS_FILE);
    // A non-empty directory in the file's place makes the rename fail, even for root.
    await rm(file);
    await mkdir(path.join(file, "blocker"), { recursive: true });
    await expect(store.put(NAME, "v2", {})).rejects.toThrow();
    await expect(store.put("other", "x", {})).rejects.toThrow();
    expect(await store.getValue(NAME)).toBe("v1");
    expect(await store.getValue("other")).toBeUndefined();
    await rm(file, { recursive: true });
    await store.put("third", "z", {});
    expect((await readSecretsFile(dir, KEY)).secrets.map((s) => [s.name, s.value])).toEqual([
      [NAME, "v1"],
      ["third", "z"],
    ]);
    expect((await readdir(dir)).sort()).toEqual([SECRETS_FILE]);
  });

  test("values reach no log line and no error", async () => {
    const spies = [
      jest.spyOn(console, "log"),
      jest.spyOn(console, "info"),
      jest.spyOn(console, "warn"),
      jest.spyOn(console, "error"),
      jest.spyOn(process.stdout, "write"),
      jest.spyOn(process.stderr, "write"),
    ];
    try {
      const dir = await tempDir();
      const { log, lines } = recordingLog();
      const store = await FileSecretStore.open({ dir, log });
      await store.put(NAME, VALUE, TAGS);
      await store.createIfAbsent("app-key", VALUE, {});
      await store.getValue(NAME);
      await store.delete(NAME);
      const errors = [
        await store.tag(NAME, {}).catch((e: unknown) => e),
        await FileSecretStore.open({ dir, key: OTHER_KEY.toString("hex"), log }).catch((e: unknown) => e),
      ];
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join("\n")).not.toContain(VALUE);
      for (const error of errors) {
        expect(error).toBeInstanceOf(Error);
        expect(`${(error as Error).message}\n${(error as Error).stack}`).not.toContain(VALUE);
      }
      for (const spy of spies) expect(JSON.stringify(spy.mock.calls)).not.toContain(VALUE);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
