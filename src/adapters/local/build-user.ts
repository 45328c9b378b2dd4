import { execFile } from "node:child_process";
import { chmod, lchown, readdir, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The account builds run as when the app runs as root: present on every Linux and macOS. */
const DEFAULT_BUILD_USER_NAME = "nobody";

export interface BuildUser {
  uid: number;
  gid: number;
  name?: string;
}

/**
 * Who builds run as: `configured` when given (null: the app's own user); else, when the app runs as
 * root, the unprivileged `nobody`; else the app's own user (null). Throws when the app runs as root
 * and no such user exists, since builds must then not run at all.
 */
export async function resolveBuildUser(configured: BuildUser | null | undefined, appUid = process.getuid?.()): Promise<BuildUser | null> {
  if (configured !== undefined) return configured;
  if (appUid !== 0) return null;
  try {
    const [uid, gid] = await Promise.all(["-u", "-g"].map(async (flag) => Number((await run("id", [flag, DEFAULT_BUILD_USER_NAME])).stdout.trim())));
    if (Number.isInteger(uid) && Number.isInteger(gid) && uid !== 0) return { uid: uid!, gid: gid!, name: DEFAULT_BUILD_USER_NAME };
  } catch {
    // No such user: said below.
  }
  throw new Error(
    `The app runs as root, and the local runner runs builds as the unprivileged user ${DEFAULT_BUILD_USER_NAME}, which this machine does not have: create it, or run the app as an ordinary user`,
  );
}

/** The first directory on the way to `path` that `user` may not enter, or undefined when it can reach it. */
export async function unreachableBy(path: string, user: BuildUser): Promise<string | undefined> {
  for (let directory = resolve(path); ; directory = dirname(directory)) {
    const { mode, uid, gid } = await stat(directory);
    // Builds run without supplementary groups: the owner's, the group's or everyone's permission applies.
    const search = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & search) === 0) return directory;
    if (dirname(directory) === directory) return undefined;
  }
}

/** Gives a directory and everything in it to the build user. */
export async function chownTree(directory: string, user: BuildUser): Promise<void> {
  const entries = await readdir(directory, { recursive: true });
  await Promise.all([directory, ...entries.map((entry) => join(directory, entry))].map((path) => lchown(path, user.uid, user.gid)));
}

/** Removes a build's directory, also where the build left directories without write permission (Go's module cache does). */
export async function removeTree(directory: string): Promise<void> {
  try {
    await rm(directory, { recursive: true, force: true });
  } catch {
    const entries = await readdir(directory, { recursive: true, withFileTypes: true });
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => chmod(join(e.parentPath, e.name), 0o700)));
    await chmod(directory, 0o700);
    await rm(directory, { recursive: true, force: true });
  }
}
