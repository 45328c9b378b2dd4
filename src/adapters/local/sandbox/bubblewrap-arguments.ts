import { join } from "node:path";
import type { MachineView } from "./machine-view.js";
import { workspacePaths, type BuildPaths } from "./sandbox.js";

/** Where a sandboxed build's parts are as it sees them: the same for every build, like CodeBuild's paths. */
export const SANDBOX_PATHS: BuildPaths = { source: "/codebuild/output/src", home: "/codebuild/home", script: "/codebuild/buildspec.sh" };

/** The workspace's directory that the build sees as /tmp (and /var/tmp): its own, removed with it. */
export function sandboxTemporaryDirectory(workspace: string): string {
  return join(workspace, "tmp");
}

/** The workspace's user database for a build with a uid of its own, so that tools that look their user up find one. */
export function sandboxUserFiles(workspace: string): { passwd: string; group: string } {
  return { passwd: join(workspace, "passwd"), group: join(workspace, "group") };
}

/**
 * bwrap's arguments for one build (bubblewrap(1)): its namespaces; its own /tmp first, so that a
 * directory of the system view under /tmp (a tool cache) stays shown; the system view; then its
 * workspace as its source and home, and its script run by bash.
 */
export function bubblewrapArguments(view: MachineView, workspace: string, options: { ownUser: boolean }): string[] {
  const host = workspacePaths(workspace);
  const users = sandboxUserFiles(workspace);
  return [
    ...NAMESPACES,
    ...["--bind", sandboxTemporaryDirectory(workspace), "/tmp"],
    ...viewArguments(view),
    ...(options.ownUser ? ["--ro-bind", users.passwd, "/etc/passwd", "--ro-bind", users.group, "/etc/group"] : []),
    ...["--bind", host.source, SANDBOX_PATHS.source],
    ...["--bind", host.home, SANDBOX_PATHS.home],
    ...["--symlink", "../tmp", "/var/tmp"],
    ...["--ro-bind", host.script, SANDBOX_PATHS.script],
    ...["--chdir", SANDBOX_PATHS.source],
    ...["--", "bash", "--noprofile", "--norc", SANDBOX_PATHS.script],
  ];
}

/** bwrap's arguments to try the sandbox once at start-up: the same namespaces and system view, running `true`. */
export function probeArguments(view: MachineView): string[] {
  return [...NAMESPACES, ...viewArguments(view), "--", "true"];
}

/**
 * Namespaces of its own for processes (every process the build starts ends with it, and it sees no
 * other), System V IPC and cgroups, but not the network (builds install packages); a new session (no
 * terminal to push input into); killed with the app.
 */
const NAMESPACES = ["--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-cgroup-try", "--die-with-parent", "--new-session"];

/** The system read-only, the app's paths within it covered, a /proc of its own namespace and a minimal /dev: nothing else of this machine. */
function viewArguments(view: MachineView): string[] {
  return [
    ...view.mounts.flatMap((mount) => (mount.kind === "symlink" ? ["--symlink", mount.target, mount.path] : ["--ro-bind", mount.path, mount.path])),
    ...view.hiddenDirectories.flatMap((path) => ["--tmpfs", path, "--remount-ro", path]),
    ...view.hiddenFiles.flatMap((path) => ["--ro-bind", "/dev/null", path]),
    ...["--proc", "/proc", "--dev", "/dev"],
  ];
}
