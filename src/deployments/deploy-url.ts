import type { Masker, MaskedText } from "../variables/masking.js";

/** The exported variable a buildspec names its deployment's address with (SPEC 10). */
export const DEPLOY_URL = "DEPLOY_URL";

/**
 * The longest DEPLOY_URL published. Browsers take far longer addresses, but a deployment's address
 * is a host and a short path: anything longer is a mistake or an attempt to fill the comment.
 */
export const DEPLOY_URL_MAX_LENGTH = 2_048;

/** Where a build said it deployed: the address, masked, or why it was ignored (a note in the check run). */
export type DeployUrl = { url: MaskedText; masked: boolean } | { problem: string };

/** An exported value as checked: an http(s) address, or what is wrong with it in words that quote nothing of it. */
export type DeployUrlCheck = { ok: true; url: string } | { ok: false; problem: string };

/**
 * A build's DEPLOY_URL is the build's code speaking (hostile input): only an absolute `http:` or
 * `https:` address without a user name or password is taken, in the URL parser's normal form (no
 * white space, no `<` or `>`, so no markup can ride on it). The problem never quotes the value,
 * which may hold anything, a secret included.
 */
export function checkDeployUrl(value: string): DeployUrlCheck {
  const text = value.trim();
  if (text === "") return { ok: false, problem: "is empty" };
  if (text.length > DEPLOY_URL_MAX_LENGTH) return { ok: false, problem: `is longer than ${DEPLOY_URL_MAX_LENGTH.toLocaleString("en-US")} characters` };
  if (!URL.canParse(text)) return { ok: false, problem: "is not an absolute URL: write it as https://host/path" };
  const url = new URL(text);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { ok: false, problem: `is a ${schemeWords(url.protocol)} URL: only http and https addresses are published` };
  if (url.username !== "" || url.password !== "")
    return { ok: false, problem: "holds a user name or password: a deployment's address is shown to everyone who can read the pull request" };
  if (url.hostname === "") return { ok: false, problem: "has no host" };
  return { ok: true, url: url.href };
}

/** The scheme as shown: a known one by name, anything else only as "another" (it is the build's text). */
function schemeWords(protocol: string): string {
  return /^[a-z][a-z0-9+.-]{0,15}:$/.test(protocol) ? protocol : "non-web";
}

/**
 * DEPLOY_URL among a build's exported variables, checked and masked: undefined when the build did
 * not export it. An address that holds a hidden value is published with `***` in its place.
 */
export function deployUrlOf(exported: readonly { name: string; value: string }[] | undefined, masker: Pick<Masker, "mask">): DeployUrl | undefined {
  const value = exported?.findLast((variable) => variable.name === DEPLOY_URL)?.value;
  if (value === undefined) return undefined;
  const checked = checkDeployUrl(value);
  if (!checked.ok) return { problem: `${DEPLOY_URL} ${checked.problem}, so it was ignored.` };
  const url = masker.mask(checked.url);
  return { url, masked: url !== checked.url };
}
