import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** How often a stopping group is checked for having exited. */
const EXIT_POLL_MS = 50;

/** Sends `signal` to every process of the group `pid` leads; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    // EPERM: the group exists, its processes run as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SIGTERM to the group, SIGKILL to what is left after `graceMs`; resolves once the group is gone or killed. */
export async function terminateGroup(pid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pid, "SIGTERM")) return;
  for (let waited = 0; waited < graceMs; waited += EXIT_POLL_MS) {
    await sleep(EXIT_POLL_MS);
    if (!(await groupAlive(pid))) return;
  }
  signalGroup(pid, "SIGKILL");
}

/**
 * Whether a process of the group still runs. Zombies do not count: where the machine's init does
 * not reap orphans (a container without an init), a build's ended processes stay in the group as
 * zombies. Without /proc, any member counts.
 */
async function groupAlive(pgid: number): Promise<boolean> {
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return signalGroup(pgid, 0);
  }
  const states = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/stat`, "utf8").catch(() => "")));
  return states.some((stat) => {
    // Fields after the parenthesised command name: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return pgrp === String(pgid) && state !== "Z";
  });
}

/**
 * When the process started, in clock ticks since boot (field 22 of /proc/PID/stat), to tell a build's
 * shell from a later process that got the same id; undefined where /proc is not available.
 */
export async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: fields are counted after it.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
