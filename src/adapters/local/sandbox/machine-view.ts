import { lstat, readlink, realpath, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * The system a sandboxed build sees, read-only: the directories of programs, libraries and
 * configuration, never users' homes, /srv, /var or /tmp. Merged-/usr systems have /bin, /lib… as
 * symbolic links into /usr: the sandbox gets the same links.
 */
const SYSTEM_DIRECTORIES = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];
/** systemd-resolved's machines link it into /run, which the sandbox does not show: without it, no name resolves. */
const RESOLVER_CONFIGURATION = "/etc/resolv.conf";

export type SystemMount = { kind: "directory"; path: string } | { kind: "file"; path: string } | { kind: "symlink"; path: string; target: string };

/** What builds see of this machine, found once at start-up: the system read-only, and what must not be seen within it. */
export interface MachineView {
  mounts: SystemMount[];
  /** Directories within the system view that are hidden (an empty directory in their place). */
  hiddenDirectories: string[];
  /** Files within the system view that are hidden (empty in their place). */
  hiddenFiles: string[];
}

/**
 * This machine's view for builds. `hidden` are the app's own paths (DATA_DIR, its working directory,
 * key files, the builds' work root): most are outside the system directories, so not seen at all;
 * those within them are covered.
 */
export async function machineView(hidden: readonly string[], nodePrefix = dirname(dirname(process.execPath))): Promise<MachineView> {
  const mounts: SystemMount[] = [];
  for (const path of SYSTEM_DIRECTORIES) {
    const entry = await lstat(path).catch(() => undefined);
    if (entry?.isSymbolicLink()) mounts.push({ kind: "symlink", path, target: await readlink(path) });
    else if (entry?.isDirectory()) mounts.push({ kind: "directory", path });
  }
  const roots = await Promise.all(mounts.filter((m) => m.kind === "directory").map((m) => realpath(m.path)));
  // The Node.js that runs the app comes first on builds' PATH (BUILD_PATH): nvm and the like keep it in a home.
  if (!(await within(nodePrefix, roots))) mounts.push({ kind: "directory", path: nodePrefix });
  const resolver = await realpath(RESOLVER_CONFIGURATION).catch(() => undefined);
  if (resolver !== undefined && !(await within(resolver, roots))) mounts.push({ kind: "file", path: resolver });

  const shown = await Promise.all(mounts.filter((m) => m.kind !== "symlink").map((m) => realpath(m.path)));
  const directories: string[] = [];
  const files: string[] = [];
  for (const path of hidden) {
    const real = await realpath(path).catch(() => undefined);
    if (real === undefined || !(await within(real, shown))) continue;
    ((await stat(real)).isDirectory() ? directories : files).push(real);
  }
  // What lies in a covered directory is covered with it (DATA_DIR in the app's directory, as by default).
  const covered = (path: string) => directories.some((directory) => path !== directory && path.startsWith(`${directory}/`));
  return { mounts, hiddenDirectories: [...new Set(directories.filter((d) => !covered(d)))], hiddenFiles: [...new Set(files.filter((f) => !covered(f)))] };
}

async function within(path: string, roots: readonly string[]): Promise<boolean> {
  const real = await realpath(path).catch(() => path);
  return roots.some((root) => real === root || real.startsWith(root === "/" ? root : `${root}/`));
}
