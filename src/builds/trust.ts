import { isUntrustedBot } from "./actors.js";
import type { Trigger } from "../domain/trigger.js";

/** Why a trigger's code is untrusted. */
export type UntrustedOrigin = "fork" | "bot";

/**
 * Whether the code a trigger builds is untrusted (SPEC 3, Trust), and why: pull requests from forks,
 * pull requests opened by bots, and pushes by bots to anything but the default branch, as GitHub
 * Actions withholds secrets from them; bots of TRUSTED_BOTS excepted. Null when it is trusted.
 */
export function untrustedOrigin(trigger: Trigger, trustedBots: readonly string[]): UntrustedOrigin | null {
  switch (trigger.kind) {
    case "push": {
      const toDefaultBranch = trigger.ref === `refs/heads/${trigger.repository.defaultBranch}`;
      return !toDefaultBranch && isUntrustedBot(trigger.sender, trustedBots) ? "bot" : null;
    }
    case "pull_request":
      if (trigger.fromFork) return "fork";
      return isUntrustedBot(trigger.author, trustedBots) ? "bot" : null;
    case "merge_group":
      return null;
  }
}
