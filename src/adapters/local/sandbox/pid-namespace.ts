import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { EXIT_POLL_MS } from "../process-group.js";
import { pidNamespaceOf, processTable, type ProcessEntry } from "../process-table.js";

/**
 * The processes of the sandbox that bwrap started as `bwrapPid`: the init of its pid namespace
 * (bwrap's own, which ends every other process of the namespace when it ends) and everything under
 * it. A process that leaves its session or its group (setsid) is still under it: the namespace's
 * orphans are the init's. Undefined once the sandbox is gone, or before its namespace exists.
 */
export async function sandboxProcesses(bwrapPid: number): Promise<{ init: number; others: number[] } | undefined> {
  const table = await processTable();
  if (!table) return undefined;
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  const outside = await pidNamespaceOf(bwrapPid);
  if (outside === undefined) return undefined;
  // bwrap's init is one or two levels down (an unprivileged bwrap forks once more to set up the user namespace).
  let init: ProcessEntry | undefined;
  for (let level = children.get(bwrapPid) ?? []; level.length > 0 && !init; level = level.flatMap((e) => children.get(e.pid) ?? [])) {
    for (const entry of level) if ((await pidNamespaceOf(entry.pid)) !== outside) init ??= entry;
  }
  if (!init) return undefined;
  const others: number[] = [];
  for (let level = children.get(init.pid) ?? []; level.length > 0; level = level.flatMap((e) => children.get(e.pid) ?? [])) {
    others.push(...level.filter((e) => !e.zombie).map((e) => e.pid));
  }
  return { init: init.pid, others };
}

/**
 * SIGTERM to every process of the sandbox but its init, as CodeBuild stops a build; once they are
 * gone or `graceMs` has passed, SIGKILL to bwrap, whose end takes the namespace and whatever is
 * left in it (bwrap's --die-with-parent). bwrap is the app's child, so its id cannot have gone to
 * another process meanwhile.
 */
export async function terminateSandbox(bwrap: ChildProcess, graceMs: number): Promise<void> {
  if (bwrap.pid === undefined) return;
  const first = await sandboxProcesses(bwrap.pid);
  for (const pid of first?.others ?? []) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Gone already.
    }
  }
  for (let waited = 0; waited < graceMs && !ended(bwrap); waited += EXIT_POLL_MS) {
    if (((await sandboxProcesses(bwrap.pid))?.others.length ?? 0) === 0) break;
    await sleep(EXIT_POLL_MS);
  }
  if (!ended(bwrap)) bwrap.kill("SIGKILL");
}

function ended(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}
