import { readdirSync, readFileSync } from "node:fs";

/** /proc gives CPU times in clock ticks of USER_HZ, which Linux fixes at 100 a second for user space (man 5 proc). */
const CLOCK_TICKS_PER_SECOND = 100;

/** What a process uses, as Linux counts it. */
export interface ProcessUsage {
  /** Resident memory (VmRSS). */
  rssBytes: number;
  /** User and system CPU time since the process started (utime + stime). */
  cpuSeconds: number;
  /**
   * Time its main thread (where JavaScript runs) was ready to run but waited for a CPU: the
   * machine's other work holding it back (schedstat's run-queue time).
   */
  cpuWaitSeconds: number;
}

/** `fields` of /proc/<pid>/stat after the command name (which may hold spaces): [0] is field 3, state. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

export function processUsage(pid: number): ProcessUsage {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const waitNs = Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]);
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, cpuWaitSeconds: waitNs / 1e9 };
}

/** Processes whose parent is `parentPid` and whose command line holds `command`. */
export function childProcesses(parentPid: number, command: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return Number(statFields(pid)[1]) === parentPid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(command);
      } catch {
        // It ended while the list was read.
        return false;
      }
    });
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** Over `wallMs` between two readings: the CPU the process used and the time its main thread waited for one, as "% of a core". */
export function cpuBetween(before: ProcessUsage, after: ProcessUsage, wallMs: number): { used: string; waiting: string } {
  const percent = (seconds: number) => `${((seconds * 1000 * 100) / wallMs).toFixed(0)} % of a core`;
  return { used: percent(after.cpuSeconds - before.cpuSeconds), waiting: percent(after.cpuWaitSeconds - before.cpuWaitSeconds) };
}
