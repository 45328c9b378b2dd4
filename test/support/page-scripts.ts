import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { PAGE_SCRIPTS_DIR, type PageScript } from "../../src/http/page-scripts.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The script `npm run build` wrote to dist/browser/. */
export function builtPageScript(file: PageScript): string {
  return readFileSync(join(PAGE_SCRIPTS_DIR, file), "utf8");
}

/** What tsconfig.browser.json makes of the script's source in src/browser/ today: a stale build differs. */
export function compiledPageSource(file: PageScript): string {
  const { config } = ts.readConfigFile(join(ROOT, "tsconfig.browser.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const source = join(ROOT, "src/browser", file.replace(/\.js$/, ".ts"));
  return ts.transpileModule(readFileSync(source, "utf8"), { compilerOptions: options, fileName: source }).outputText;
}
