import { randomInt } from "node:crypto";
import type { BuildUser } from "../build-user.js";

/**
 * Where a build's own uid (and gid) is drawn from when the app runs as root: 16,777,216 ids from
 * 1879048192 (0x70000000), a range that neither distributions nor systemd give to users or
 * containers (systemd.io/UIDS-GIDS: 1879048192…2147483647 is unused).
 */
export const BUILD_UIDS = { first: 0x7000_0000, count: 0x0100_0000 } as const;

/** Gives each build a uid of its own, never one a build of this process holds. */
export class BuildUids {
  private readonly held = new Set<number>();

  constructor(private readonly draw: (count: number) => number = randomInt) {}

  take(): BuildUser {
    let uid: number;
    do uid = BUILD_UIDS.first + this.draw(BUILD_UIDS.count);
    while (this.held.has(uid));
    this.held.add(uid);
    return { uid, gid: uid, name: "build" };
  }

  give(user: BuildUser): void {
    this.held.delete(user.uid);
  }
}
