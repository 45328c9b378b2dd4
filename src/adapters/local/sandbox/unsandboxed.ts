import { chownTree, resolveBuildUser, unreachableBy, type BuildUser } from "../build-user.js";
import { signalGroup, terminateGroup } from "../process-group.js";
import { spawnBuildProcess, workspacePaths, type BuildPaths, type BuildSandbox, type SandboxedShell, type ShellRequest } from "./sandbox.js";

/** Said at every start with LOCAL_ISOLATION=none (SPEC 9): the operator chose this, and must know what it means. */
export const UNSANDBOXED_WARNING = "LOCAL_ISOLATION=none: builds run without a sandbox";
const TRUST = "Build only repositories whose every writer you trust, or install bubblewrap and remove LOCAL_ISOLATION";

/**
 * LOCAL_ISOLATION=none: bash runs in a process group of its own, as `nobody` when the app runs as
 * root, else as the app's own user; the group is what a stop or the build's end signals, so a
 * process that leaves it (setsid) outlives the build.
 */
export class Unsandboxed implements BuildSandbox {
  readonly warnings: string[];
  private user: Promise<BuildUser | null> | undefined;

  constructor(
    private readonly workRoot: string,
    private readonly configured?: BuildUser | null,
  ) {
    const asNobody = process.getuid?.() === 0 && configured === undefined;
    this.warnings = [
      asNobody
        ? `${UNSANDBOXED_WARNING}, all as nobody: a build can read the app's keys and data wherever nobody may, and the files, processes and secrets of every other build. ${TRUST}`
        : `${UNSANDBOXED_WARNING}, as the app's own user: a build can read the app's private key, webhook secret, settings and data, change the app's files, and read the files, processes and secrets of every other build. ${TRUST}`,
    ];
  }

  get description(): string {
    return "without a sandbox (LOCAL_ISOLATION=none), in a process group of its own, as `nobody` when the app runs as root, else as the app's own user";
  }

  /** Found once and able to reach the work directory; looked for again after a failure, which the operator may fix meanwhile. */
  userFor(): Promise<BuildUser | null> {
    this.user ??= (async () => {
      const user = await resolveBuildUser(this.configured);
      const blocked = user && (await unreachableBy(this.workRoot, user));
      if (blocked) {
        throw new Error(
          `Builds run as the user ${user.name ?? user.uid}, who cannot enter ${blocked}: let others search it (chmod o+x), or point TMPDIR at a directory that user can reach`,
        );
      }
      return user;
    })().catch((error: unknown) => {
      this.user = undefined;
      throw error;
    });
    return this.user;
  }

  release(): void {}

  seen(workspace: string): BuildPaths {
    return workspacePaths(workspace);
  }

  async prepare(workspace: string, user: BuildUser | null): Promise<void> {
    if (user) await chownTree(workspace, user);
  }

  start(request: ShellRequest): SandboxedShell {
    const paths = workspacePaths(request.workspace);
    const child = spawnBuildProcess("bash", ["--noprofile", "--norc", paths.script], paths.source, request);
    return {
      child,
      terminate: async (graceMs) => {
        if (child.pid !== undefined) await terminateGroup(child.pid, graceMs);
      },
      endLeftovers: () => {
        if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      },
    };
  }
}
