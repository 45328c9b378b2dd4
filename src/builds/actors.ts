import type { Actor } from "./trigger.js";

/** As GitHub Actions: a user of type Bot, or an app's `name[bot]` login. */
export function isBot(actor: Actor): boolean {
  return actor.type === "Bot" || actor.login.endsWith("[bot]");
}
