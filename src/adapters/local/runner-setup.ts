import { join } from "node:path";

/** Where and how the local runner runs builds: what the app says about it at start-up. */
export interface LocalRunnerSetup {
  dataDir: string;
  workRoot: string;
  /** How each build runs (its sandbox's description). */
  isolation: string;
  concurrency: number;
}

/** The start-up lines that say where and how builds run (SPEC 9: "says at start that builds run on this machine"). */
export function describeLocalRunner(setup: LocalRunnerSetup): string[] {
  return [
    `Builds run on this machine (RUNNER=local), each ${setup.isolation}; each buildspec runs with bash in a fresh checkout under ${setup.workRoot}; ` +
      `at most ${setup.concurrency} at once (LOCAL_CONCURRENCY), the others wait, queued; build states and logs are kept in ${join(setup.dataDir, "builds")}`,
    "The local runner never builds untrusted code (pull requests from forks or from bots): those are refused with a message on their check run",
  ];
}
