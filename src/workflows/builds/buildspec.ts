import { readFile, readdir } from "node:fs/promises";

/** The app's built-in buildspecs ship in buildspecs/ at the package root. */
const BUILTIN_DIR = new URL("../../../buildspecs/", import.meta.url);

export type BuildspecResult = { ok: true; buildspec?: string } | { ok: false; problem: string };

/**
 * What to send as `buildspecOverride`: the contents of a builtin, the repository path
 * as written, or nothing (the project's own buildspec).
 */
export async function resolveBuildspec(buildspec: string | undefined): Promise<BuildspecResult> {
  if (buildspec === undefined) return { ok: true };
  if (!buildspec.startsWith("builtin:")) return { ok: true, buildspec };
  const name = buildspec.slice("builtin:".length);
  try {
    return { ok: true, buildspec: await readFile(new URL(`${name}.yml`, BUILTIN_DIR), "utf8") };
  } catch {
    const available = (await readdir(BUILTIN_DIR)).filter((f) => f.endsWith(".yml")).map((f) => `builtin:${f.slice(0, -4)}`);
    return { ok: false, problem: `There is no built-in buildspec \`${buildspec}\`. Available: ${available.map((a) => `\`${a}\``).join(", ")}.` };
  }
}
