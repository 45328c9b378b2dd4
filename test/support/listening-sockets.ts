import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** The kernel's state of a listening TCP socket in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN). */
const TCP_LISTEN = "0A";
/** A Unix socket that accepts connections (include/linux/net.h: __SO_ACCEPTCON), in /proc/net/unix's Flags. */
const SO_ACCEPTCON = 0x10000;

/** What a process listens on, read from /proc as a neighbour on the machine would: TCP ports, and Unix sockets' paths. */
export function listeningSockets(pid: number): { tcpPorts: number[]; unixPaths: string[] } {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // Closed meanwhile.
    }
  }
  const tcpPorts = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === TCP_LISTEN && inodes.has(fields[9] ?? "")) tcpPorts.add(Number.parseInt(fields[1]!.split(":")[1]!, 16));
    }
  }
  const unixPaths: string[] = [];
  for (const line of readFileSync("/proc/net/unix", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 8 && inodes.has(fields[6]!) && (Number.parseInt(fields[3]!, 16) & SO_ACCEPTCON) !== 0) unixPaths.push(fields[7]!);
  }
  return { tcpPorts: [...tcpPorts].sort((a, b) => a - b), unixPaths };
}
