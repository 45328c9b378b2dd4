import { setTimeout as sleep } from "node:timers/promises";
import { processEntry, processTable } from "./process-table.js";

/** How often stopping processes are checked for having exited. */
export const EXIT_POLL_MS = 50;

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

/** Whether a process of the group still runs (zombies do not count). Without /proc, any member counts. */
async function groupAlive(pgid: number): Promise<boolean> {
  const table = await processTable();
  if (!table) return signalGroup(pgid, 0);
  return table.some((entry) => entry.pgrp === pgid && !entry.zombie);
}

/** When the process started (see ProcessEntry), to tell a build's process from a later one with the same id; undefined where /proc is not available. */
export async function processStartTicks(pid: number): Promise<string | undefined> {
  return (await processEntry(pid))?.startTicks;
}
