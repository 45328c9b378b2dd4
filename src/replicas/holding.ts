/** Until when each replica lives, as its heartbeat said when last read (ms since the epoch). */
export type Liveness = ReadonlyMap<string, number>;

/**
 * Who may work on something (a pending event, a running build) that `holder` holds: this replica
 * when it is its own; any replica when nobody holds it or its holder's heartbeat has run out; else
 * only its live holder.
 */
export type Holding = "mine" | "free" | "held";

export function holdingOf(holder: string | undefined, self: string, liveness: Liveness, now: number): Holding {
  if (holder === undefined) return "free";
  if (holder === self) return "mine";
  return (liveness.get(holder) ?? -Infinity) > now ? "held" : "free";
}
