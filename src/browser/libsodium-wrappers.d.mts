/**
 * The types of libsodium's browser build, which the server serves beside the seal page's script
 * as `libsodium-wrappers.mjs` (its default export is the library).
 */
declare const sodium: typeof import("libsodium-wrappers");

export default sodium;
