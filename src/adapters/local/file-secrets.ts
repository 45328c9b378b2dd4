import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import type { SecretStore } from "../../ports/variable-store.js";
import { SECRET_RECOVERY_WINDOW_DAYS } from "../aws/secrets-manager.js";

/** The environment variable that holds the key of the embedded secret store. */
export const SECRETS_KEY_VARIABLE = "LOCAL_SECRETS_KEY";
/** Under the store's directory: the encrypted secrets, and the key generated when none is given. */
export const SECRETS_FILE = "secrets.enc";
export const SECRETS_KEY_FILE = "secrets.key";
/** Secrets are found by this pseudo-ARN as well as by name, as Secrets Manager finds them by ARN. */
export const LOCAL_SECRET_ARN_PREFIX = "arn:local:secretsmanager:embedded:000000000000:secret:";

/** AES-256-GCM: a 32-byte key, a 96-bit IV (NIST SP 800-38D's recommended length), a 16-byte tag. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Starts the file, says what it is, and is authenticated with the contents so a format change cannot be mistaken. */
const FILE_HEADER = Buffer.from("codebuild-checks secrets v1\n");
const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_FORMAT = `32 bytes as base64 (44 characters) or hex (64 characters), e.g. from \`openssl rand -base64 ${KEY_BYTES}\``;

/** The store cannot use its directory: missing or malformed key, a file written with another key, a damaged file. */
export class SecretsFileError extends Error {
  override name = "SecretsFileError";
}

export interface FileSecretStoreOptions {
  /** Created (0700) when missing; one process owns it, as dynalite owns its data under DATA_DIR. */
  dir: string;
  /** The value of LOCAL_SECRETS_KEY; without it the key is read from (or generated into) secrets.key. */
  key?: string | undefined;
  log: Pick<Logger, "info">;
  now?: () => Date;
}

const storedSecrets = z.object({
  secrets: z.array(
    z.object({
      name: z.string(),
      value: z.string(),
      tags: z.record(z.string(), z.string()),
      /** Set while scheduled for deletion: when the recovery window ends and the secret is gone. */
      deletionDate: z.iso.datetime().optional(),
    }),
  ),
});
type StoredSecret = z.infer<typeof storedSecrets>["secrets"][number];

/**
 * Secret values in one AES-256-GCM encrypted file (embedded mode, SPEC 9), behaving as the Secrets
 * Manager store does. The whole set is rewritten (temp file, then rename) on each change; changes
 * run one at a time so none is lost. Values never reach a log line or an error message.
 */
export class FileSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private secrets: Map<string, StoredSecret>,
    private readonly key: Buffer,
    private readonly file: string,
    private readonly now: () => Date,
    /** Where the data and key are, for the start-up line. */
    readonly description: string,
  ) {}

  static async open(options: FileSecretStoreOptions): Promise<FileSecretStore> {
    const dir = path.resolve(options.dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, SECRETS_FILE);
    const data = await readIfExists(file);
    const { key, source } = await loadKey(dir, options.key, data !== undefined, options.log);
    const secrets = data === undefined ? [] : decrypt(data, key, file, source);
    return new FileSecretStore(
      new Map(secrets.map((s) => [s.name, s])),
      key,
      file,
      options.now ?? (() => new Date()),
      `encrypted file ${file} (key from ${source.kind === "variable" ? SECRETS_KEY_VARIABLE : source.file})`,
    );
  }

  put(id: string, value: string, tags: Record<string, string>): Promise<{ arn: string }> {
    const name = nameOf(id);
    return this.change((secrets) => {
      const existing = secrets.get(name);
      secrets.set(name, { name, value, tags: { ...existing?.tags, ...tags } });
      return { arn: localSecretArn(name) };
    });
  }

  createIfAbsent(id: string, value: string, tags: Record<string, string>): Promise<boolean> {
    const name = nameOf(id);
    return this.change((secrets) => {
      const existing = secrets.get(name);
      if (existing) {
        // As with Secrets Manager, a name awaiting deletion comes back rather than being replaced.
        secrets.set(name, { ...existing, deletionDate: undefined });
        return false;
      }
      secrets.set(name, { name, value, tags: { ...tags } });
      return true;
    });
  }

  async delete(id: string): Promise<void> {
    const name = nameOf(id);
    await this.change((secrets) => {
      const existing = secrets.get(name);
      if (!existing || existing.deletionDate !== undefined) return;
      const deletionDate = new Date(this.now().getTime() + SECRET_RECOVERY_WINDOW_DAYS * DAY_MS).toISOString();
      secrets.set(name, { ...existing, deletionDate });
    });
  }

  async getValue(id: string): Promise<string | undefined> {
    const secret = this.secrets.get(nameOf(id));
    if (!secret || secret.deletionDate !== undefined) return undefined;
    return secret.value;
  }

  tag(id: string, tags: Record<string, string>): Promise<void> {
    const name = nameOf(id);
    return this.change((secrets) => {
      const existing = secrets.get(name);
      // Secrets Manager's TagResource refuses both; callers tell them apart by these names, as with AWS.
      if (!existing) throw refusal("ResourceNotFoundException", `Can't find the secret ${name} to tag it.`);
      if (existing.deletionDate !== undefined) {
        throw refusal("InvalidRequestException", `You can't tag the secret ${name} because it was marked for deletion.`);
      }
      secrets.set(name, { ...existing, tags: { ...existing.tags, ...tags } });
    });
  }

  /**
   * Runs one change after the previous ones on a copy of the live secrets, writes the copy, and
   * only then keeps it: a failed write leaves the store as it was on disk.
   */
  private change<T>(apply: (secrets: Map<string, StoredSecret>) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const next = this.live();
      const result = apply(next);
      await writeAtomically(this.file, encrypt([...next.values()], this.key));
      this.secrets = next;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A copy of the secrets without those whose recovery window has ended: those are gone, as in AWS. */
  private live(): Map<string, StoredSecret> {
    const now = this.now().getTime();
    const kept = [...this.secrets.values()].filter((s) => s.deletionDate === undefined || Date.parse(s.deletionDate) > now);
    return new Map(kept.map((s) => [s.name, { ...s, tags: { ...s.tags } }]));
  }
}

export function localSecretArn(name: string): string {
  return `${LOCAL_SECRET_ARN_PREFIX}${name}`;
}

function nameOf(id: string): string {
  return id.startsWith(LOCAL_SECRET_ARN_PREFIX) ? id.slice(LOCAL_SECRET_ARN_PREFIX.length) : id;
}

function refusal(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

type KeySource = { kind: "variable" } | { kind: "file"; file: string };

/** LOCAL_SECRETS_KEY when set, else secrets.key, generated when there is neither the key file nor data. */
async function loadKey(dir: string, variable: string | undefined, hasData: boolean, log: Pick<Logger, "info">): Promise<{ key: Buffer; source: KeySource }> {
  if (variable !== undefined && variable.trim() !== "") {
    const key = decodeKey(variable);
    // The message never repeats the value: it is a key.
    if (!key) throw new SecretsFileError(`${SECRETS_KEY_VARIABLE} is not a valid key: it must be ${KEY_FORMAT}.`);
    return { key, source: { kind: "variable" } };
  }
  const file = path.join(dir, SECRETS_KEY_FILE);
  const source = { kind: "file", file } as const;
  const stored = await readIfExists(file);
  if (stored !== undefined) {
    return { key: keyFromFile(stored.toString("utf8"), file), source };
  }
  if (hasData) {
    throw new SecretsFileError(
      `${path.join(dir, SECRETS_FILE)} holds secrets but there is no key: set ${SECRETS_KEY_VARIABLE} to the key it was written with, or restore ${file}.`,
    );
  }
  return { key: await createKeyFile(file, log), source };
}

/** Written whole under a temporary name, then linked into place only if no other process made one first. */
async function createKeyFile(file: string, log: Pick<Logger, "info">): Promise<Buffer> {
  const temp = await writeTemp(file, Buffer.from(`${randomBytes(KEY_BYTES).toString("base64")}\n`));
  try {
    await link(temp, file);
    log.info({ keyFile: file }, `Generated the key of the embedded secret store; keep it with ${SECRETS_FILE}, or set ${SECRETS_KEY_VARIABLE} instead`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(temp);
  }
  return keyFromFile(await readFile(file, "utf8"), file);
}

function keyFromFile(text: string, file: string): Buffer {
  const key = decodeKey(text);
  if (!key) throw new SecretsFileError(`${file} does not hold a valid key (${KEY_FORMAT}): restore it, or set ${SECRETS_KEY_VARIABLE} to the key.`);
  return key;
}

function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (/^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/.test(trimmed)) return Buffer.from(trimmed, "base64");
  return undefined;
}

/** The file: header, IV, GCM tag, then the encrypted JSON of the secrets; the header is authenticated too. */
function encrypt(secrets: StoredSecret[], key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(FILE_HEADER);
  const body = Buffer.concat([cipher.update(JSON.stringify({ secrets }), "utf8"), cipher.final()]);
  return Buffer.concat([FILE_HEADER, iv, cipher.getAuthTag(), body]);
}

function decrypt(data: Buffer, key: Buffer, file: string, source: KeySource): StoredSecret[] {
  if (data.length < FILE_HEADER.length + IV_BYTES + TAG_BYTES || !data.subarray(0, FILE_HEADER.length).equals(FILE_HEADER)) {
    throw new SecretsFileError(`${file} is not a secrets file of codebuild-checks, or is damaged: restore it from a backup or move it away.`);
  }
  const ivEnd = FILE_HEADER.length + IV_BYTES;
  const decipher = createDecipheriv("aes-256-gcm", key, data.subarray(FILE_HEADER.length, ivEnd)).setAAD(FILE_HEADER);
  decipher.setAuthTag(data.subarray(ivEnd, ivEnd + TAG_BYTES));
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(ivEnd + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretsFileError(`${file} cannot be decrypted with ${wrongKeyAdvice(source)} The app leaves the file as it is.`);
  }
  const parsed = storedSecrets.safeParse(parseJson(plain));
  if (!parsed.success) throw new SecretsFileError(`${file} decrypts but its contents are damaged: restore it from a backup.`);
  return parsed.data.secrets;
}

function wrongKeyAdvice(source: KeySource): string {
  return source.kind === "variable"
    ? `the key in ${SECRETS_KEY_VARIABLE}: it was written with another key (or is damaged). Set ${SECRETS_KEY_VARIABLE} to the key it was written with, or unset it to use ${SECRETS_KEY_FILE} from the same directory.`
    : `the key in ${source.file}: it was written with another key (or is damaged). Restore the key file it was written with, or set ${SECRETS_KEY_VARIABLE} to that key.`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** A reader (or a crash) sees the old file or the new one, never half of one. */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  const temp = await writeTemp(file, data);
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** A new file (0600) beside `file`, flushed to disk before anything is renamed or linked onto `file`. */
async function writeTemp(file: string, data: Buffer): Promise<string> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}
