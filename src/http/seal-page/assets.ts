import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SEAL_PAGE_PATH } from "../../secrets/sealed-value.js";

/** SPEC 7: the app's public key for sealed secrets. */
export const PUBLIC_KEY_PATH = "/api/public-key";

/** The seal page's script, style and libsodium, all same-origin (the page's CSP allows nothing else). */
export const SEAL_ASSETS_PATH = `${SEAL_PAGE_PATH}/assets/`;

/**
 * libsodium's ES-module build for the browser, as it ships in node_modules: the wrappers import
 * `./libsodium.mjs`, which comes from the `libsodium` package, so both are served side by side.
 * Its WebAssembly is inlined in libsodium.mjs: the page fetches nothing else.
 */
export function readLibsodiumForBrowser(): Record<"libsodium-wrappers.mjs" | "libsodium.mjs", string> {
  const require = createRequire(import.meta.url);
  const wrappers = require.resolve("libsodium-wrappers");
  const core = createRequire(wrappers).resolve("libsodium");
  return {
    "libsodium-wrappers.mjs": readFileSync(esmBuildOf(wrappers, "libsodium-wrappers.mjs"), "utf8"),
    "libsodium.mjs": readFileSync(esmBuildOf(core, "libsodium.mjs"), "utf8"),
  };
}

/** `dist/modules/x.js` (what `require` finds) → `dist/modules-esm/x.mjs`. */
function esmBuildOf(commonJsFile: string, file: string): string {
  return join(dirname(dirname(commonJsFile)), "modules-esm", file);
}
