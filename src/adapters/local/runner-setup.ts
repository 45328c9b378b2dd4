import { join } from "node:path";
import type { BuildUser } from "./build-user.js";

/** Where and as whom the local runner runs builds: what the app says about it at start-up. */
export interface LocalRunnerSetup {
  dataDir: string;
  workRoot: string;
  buildUser: BuildUser | null;
  appUid: number | undefined;
  /** Why no build can run (the app runs as root without a user to run builds as, or one who cannot reach the work directory). */
  problem?: string;
}

/** The start-up lines that say where and how builds run (SPEC 9: "says at start that builds run on this machine"). */
export function describeLocalRunner(setup: LocalRunnerSetup): string[] {
  const user = setup.problem
    ? "once the warning below is fixed"
    : setup.buildUser
      ? `as the unprivileged user ${setup.buildUser.name ?? setup.buildUser.uid} (uid ${setup.buildUser.uid})`
      : `as the app's own user (uid ${setup.appUid ?? "unknown"})`;
  return [
    `Builds run on this machine (RUNNER=local), ${user}: each buildspec runs with bash in a fresh checkout under ${setup.workRoot}; build states and logs are kept in ${join(setup.dataDir, "builds")}`,
    "The local runner never builds untrusted code (pull requests from forks or from bots): those are refused with a message on their check run",
  ];
}

/** What the operator must be warned of at start-up: builds that can read the app's files, or builds that cannot run. */
export function localRunnerWarnings(setup: LocalRunnerSetup): string[] {
  if (setup.problem) return [setup.problem];
  if (setup.buildUser) return [];
  const who = setup.appUid === 0 ? "as root" : "as the app's own user";
  return [
    `Builds run on this machine ${who}: a build can read and change the app's files, its private key, settings and data included. ` +
      "Build only repositories you trust, or run the app as root so that builds run as an unprivileged user.",
  ];
}
