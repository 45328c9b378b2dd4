import { readdir, readFile, readlink } from "node:fs/promises";

/** A process as /proc/PID/stat describes it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Its process group. */
  pgrp: number;
  /** Ended, waiting for its parent to reap it: where the machine's init does not reap orphans (a container without one), ended builds' processes stay so. */
  zombie: boolean;
  /** When it started, in clock ticks since boot: tells a process from a later one that got the same id. */
  startTicks: string;
}

/** Every process of the machine (of the app's pid namespace); undefined where /proc is not available. */
export async function processTable(): Promise<ProcessEntry[] | undefined> {
  let names: string[];
  try {
    names = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const entries = await Promise.all(names.map((name) => processEntry(Number(name))));
  return entries.filter((entry) => entry !== undefined);
}

/** One process, or undefined once it is gone. */
export async function processEntry(pid: number): Promise<ProcessEntry | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), zombie: fields[0] === "Z", startTicks: fields[19] ?? "" };
}

/** The pid namespace a process is in (`pid:[4026531836]`), or undefined once it is gone or cannot be read. */
export async function pidNamespaceOf(pid: number): Promise<string | undefined> {
  return readlink(`/proc/${pid}/ns/pid`).catch(() => undefined);
}
