import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Once before the test files: the pages' scripts compiled from src/browser/, as `npm run build`
 * does, since the server (run from src/ here) serves them from dist/browser/. Incremental: a few
 * hundred milliseconds when nothing changed.
 */
export default function compilePageScripts(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, [tsc, "-b", "tsconfig.browser.json"], { cwd: root, stdio: "inherit" });
}
