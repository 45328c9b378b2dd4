import type { Actor } from "../domain/trigger.js";

/** As GitHub Actions: a user of type Bot, or an app's `name[bot]` login. */
export function isBot(actor: Actor): boolean {
  return actor.type === "Bot" || actor.login.endsWith("[bot]");
}

/** A bot whose code is untrusted: any bot but those of TRUSTED_BOTS (lower-cased logins). */
export function isUntrustedBot(actor: Actor, trustedBots: readonly string[]): boolean {
  return isBot(actor) && !trustedBots.includes(actor.login.toLowerCase());
}
