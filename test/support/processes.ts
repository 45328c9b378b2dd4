import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** A name for a build's processes (their argv[0], `exec -a`), to find them from outside its sandbox. */
export function processMarker(): string {
  return `cbc-test-${randomUUID()}`;
}

/** Processes still running (not ended) whose command line holds `marker`. */
export function markedProcesses(marker: string): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker) && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Waits until `count` of the build's marked processes run. */
export async function untilMarked(marker: string, count: number): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (markedProcesses(marker).length >= count) return;
    await sleep(20);
  }
  throw new Error(`the build never ran ${count} processes marked ${marker}`);
}
