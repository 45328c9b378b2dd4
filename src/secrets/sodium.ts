import { createRequire } from "node:module";
import type * as Sodium from "libsodium-wrappers";

/**
 * libsodium, initialised. Loaded through `require` because the ESM build of libsodium-wrappers
 * 0.7.16 imports `./libsodium.mjs`, a file the package does not ship; its CommonJS build works.
 */
export const sodium = createRequire(import.meta.url)("libsodium-wrappers") as typeof Sodium;
await sodium.ready;
