import { chmod, mkdir } from "node:fs/promises";

/** Only the app's user may use what the app writes: files 0600, directories 0700. */
const PRIVATE_UMASK = 0o077;

/**
 * DATA_DIR (SPEC 1: created 0700) before anything is written in it: the embedded table, the secrets
 * file and its key, and the local builds' logs, which hold what builds printed before masking. The
 * process's umask is narrowed too, since LevelDB (the embedded table) creates its files itself.
 * A directory made earlier with wider permissions is narrowed.
 */
export async function prepareDataDirectory(dataDir: string): Promise<void> {
  process.umask(PRIVATE_UMASK);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
}
