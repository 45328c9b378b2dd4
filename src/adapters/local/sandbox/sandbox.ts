import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { join } from "node:path";
import type { BuildUser } from "../build-user.js";

/** Where a build's checkout, home and script are. */
export interface BuildPaths {
  source: string;
  home: string;
  script: string;
}

/** The build's temporary directory on this machine: the app fetches the source and writes the script there. */
export function workspacePaths(workspace: string): BuildPaths {
  return { source: join(workspace, "src"), home: join(workspace, "home"), script: join(workspace, "buildspec.sh") };
}

/** The build's shell to start: in `workspace`, as `user` (null: the app's own user), with nothing but `env`. */
export interface ShellRequest {
  workspace: string;
  user: BuildUser | null;
  env: Record<string, string>;
  /** The shell's stdio; fd 3 is the script's side channel. */
  stdio: StdioOptions;
}

/** A build's shell, started by its sandbox. */
export interface SandboxedShell {
  readonly child: ChildProcess;
  /** SIGTERM to every process of the build, SIGKILL to what is left after `graceMs`; resolves once none is left. */
  terminate(graceMs: number): Promise<void>;
  /** The shell has ended: whatever it left running ends now, as CodeBuild's container does. */
  endLeftovers(): void;
}

/**
 * How local builds are kept from the app and from each other (LOCAL_ISOLATION, SPEC 9): as whom a
 * build runs, the paths it sees, and how its processes are started and ended.
 */
export interface BuildSandbox {
  /** What the app says at start-up about how builds run, and what it warns of. */
  readonly description: string;
  readonly warnings: string[];
  /** The user a new build runs as (null: the app's own user); throws when no build can run (said in the message). */
  userFor(): Promise<BuildUser | null>;
  /** The user is done with: the next build may get it again. */
  release(user: BuildUser | null): void;
  /** The build's paths as its shell sees them. */
  seen(workspace: string): BuildPaths;
  /** The workspace made the build's: given to its user, with what the sandbox needs in it. */
  prepare(workspace: string, user: BuildUser | null): Promise<void>;
  start(request: ShellRequest): SandboxedShell;
}

/** A build's process (its shell, or the sandbox around it): in a process group of its own, as the build's user, with nothing but its environment. */
export function spawnBuildProcess(command: string, args: string[], cwd: string, request: ShellRequest): ChildProcess {
  return spawn(command, args, {
    cwd,
    env: request.env,
    detached: true,
    stdio: request.stdio,
    ...(request.user && { uid: request.user.uid, gid: request.user.gid }),
  });
}
