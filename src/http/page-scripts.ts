import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where `npm run build` puts the pages' scripts, compiled from src/browser/ with
 * tsconfig.browser.json: the package's dist/browser/, whether the server runs from dist/ or (in
 * tests) from src/, both two folders above this file.
 */
export const PAGE_SCRIPTS_DIR = fileURLToPath(new URL("../../dist/browser/", import.meta.url));

/** The compiled scripts, by the name of their source in src/browser/. */
export type PageScript = "log-page.js" | "seal-page.js";

/** A page's compiled script, read once at start-up; an error naming the file and the fix when the build has not made it. */
export function readPageScript(file: PageScript): string {
  const path = join(PAGE_SCRIPTS_DIR, file);
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `The page script ${path} could not be read (${(error as Error).message}): run npm run build, which compiles src/browser/ into dist/browser/`,
      { cause: error },
    );
  }
}
