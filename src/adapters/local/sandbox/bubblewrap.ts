import { execFile } from "node:child_process";
import { access, constants, mkdir, readFile, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { BUILD_PATH } from "../build-environment.js";
import { chownTree, unreachableBy, type BuildUser } from "../build-user.js";
import { bubblewrapArguments, probeArguments, SANDBOX_PATHS, sandboxTemporaryDirectory, sandboxUserFiles } from "./bubblewrap-arguments.js";
import { BUILD_UIDS, BuildUids } from "./build-uids.js";
import { machineView, type MachineView } from "./machine-view.js";
import { terminateSandbox } from "./pid-namespace.js";
import { spawnBuildProcess, type BuildPaths, type BuildSandbox, type SandboxedShell, type ShellRequest } from "./sandbox.js";

const run = promisify(execFile);

/** How long the start-up trial of the sandbox may take. */
const PROBE_TIMEOUT_MS = 15_000;
/** What the operator can do instead, said in every refusal. */
const OTHERWISE = "or set LOCAL_ISOLATION=none to run builds without a sandbox, where a build can read the app's private key and data and every other build";

/** How to install bubblewrap, said wherever it is missing. */
export const BUBBLEWRAP_INSTALL = "Debian and Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap";

export const BUBBLEWRAP_MISSING =
  "The local runner runs every build in a bubblewrap sandbox, and bwrap is not installed (not found on PATH): " +
  `install it (${BUBBLEWRAP_INSTALL}), ${OTHERWISE}`;

export interface BubblewrapOptions {
  /** The app's own paths, which no build may see: DATA_DIR, its working directory, key files. */
  hidden: string[];
  /** Where the builds' workspaces are made: hidden too, and reachable by builds' own users. */
  workRoot: string;
  /** Where bwrap is looked for: the app's PATH. */
  searchPath: string | undefined;
  appUid: number | undefined;
}

export type BubblewrapOpening = { ok: true; sandbox: Bubblewrap } | { ok: false; problem: string };

/**
 * The bubblewrap sandbox, found and tried at start-up: a machine without bwrap, or whose kernel
 * refuses the unprivileged user namespaces it needs, gets one line saying what to do.
 */
export async function openBubblewrap(options: BubblewrapOptions): Promise<BubblewrapOpening> {
  const executable = await findExecutable("bwrap", options.searchPath);
  if (executable === undefined) return { ok: false, problem: BUBBLEWRAP_MISSING };
  const view = await machineView([...options.hidden, options.workRoot]);
  const uids = options.appUid === 0 ? new BuildUids() : undefined;
  if (uids) {
    const blocked = await unreachableBy(options.workRoot, { uid: BUILD_UIDS.first, gid: BUILD_UIDS.first });
    if (blocked !== undefined) {
      return {
        ok: false,
        problem: `Builds run as users of their own, who cannot enter ${blocked} on the way to the builds' work directory ${options.workRoot}: let others search it (chmod o+x), or point TMPDIR at a directory they can reach`,
      };
    }
  }
  const sandbox = new Bubblewrap(executable, view, uids);
  const problem = await sandbox.probe();
  return problem === undefined ? { ok: true, sandbox } : { ok: false, problem };
}

/**
 * Every build in a bubblewrap sandbox of its own (SPEC 9): its own pid namespace, so every process it
 * starts ends with it and it sees no other; the system read-only; a fresh workspace as its source,
 * home and /tmp; none of the app's files nor any other build's. When the app runs as root, each build
 * runs as a uid of its own, with no access to anything of another build even outside the sandbox.
 */
export class Bubblewrap implements BuildSandbox {
  readonly warnings: string[] = [];

  constructor(
    private readonly executable: string,
    private readonly view: MachineView,
    private readonly uids: BuildUids | undefined,
  ) {}

  get description(): string {
    const who = this.uids ? `as a user of its own (a uid from ${BUILD_UIDS.first})` : "as the app's own user";
    return `in a bubblewrap sandbox (${this.executable}) ${who}: its own processes, the system read-only, none of the app's files and none of another build's`;
  }

  async userFor(): Promise<BuildUser | null> {
    return this.uids?.take() ?? null;
  }

  release(user: BuildUser | null): void {
    if (user) this.uids?.give(user);
  }

  seen(): BuildPaths {
    return SANDBOX_PATHS;
  }

  async prepare(workspace: string, user: BuildUser | null): Promise<void> {
    await mkdir(sandboxTemporaryDirectory(workspace));
    if (!user) return;
    const files = sandboxUserFiles(workspace);
    const name = user.name ?? "build";
    await writeFile(
      files.passwd,
      `${await readFile("/etc/passwd", "utf8")}${name}:x:${user.uid}:${user.gid}:codebuild-checks build:${SANDBOX_PATHS.home}:/bin/bash\n`,
    );
    await writeFile(files.group, `${await readFile("/etc/group", "utf8")}${name}:x:${user.gid}:\n`);
    await chownTree(workspace, user);
  }

  start(request: ShellRequest): SandboxedShell {
    const args = bubblewrapArguments(this.view, request.workspace, { ownUser: request.user !== null });
    const child = spawnBuildProcess(this.executable, args, request.workspace, request);
    return {
      child,
      terminate: (graceMs) => terminateSandbox(child, graceMs),
      // bwrap ends once the shell does, and its namespace with it: nothing is left.
      endLeftovers: () => undefined,
    };
  }

  /** A sandbox tried once, as builds will run: undefined when it works, else why not in one line. */
  async probe(): Promise<string | undefined> {
    const user = await this.userFor();
    try {
      await run(this.executable, probeArguments(this.view), {
        env: { PATH: BUILD_PATH },
        timeout: PROBE_TIMEOUT_MS,
        ...(user && { uid: user.uid, gid: user.gid }),
      });
      return undefined;
    } catch (error) {
      const said =
        String((error as { stderr?: unknown }).stderr ?? "")
          .trim()
          .split("\n")[0] || (error as Error).message;
      return (
        `bubblewrap cannot make a sandbox on this machine (${said}): it needs unprivileged user namespaces, so allow them ` +
        "(sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0; " +
        `in a container, a seccomp and AppArmor profile that allows them), ${OTHERWISE}`
      );
    } finally {
      this.release(user);
    }
  }
}

/** The executable `name` on `searchPath` (PATH's form), or undefined. */
export async function findExecutable(name: string, searchPath: string | undefined): Promise<string | undefined> {
  for (const directory of (searchPath ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}
