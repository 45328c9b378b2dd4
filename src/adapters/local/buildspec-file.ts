import { readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";

/** Where CodeBuild looks without a buildspec override (buildspec reference: "Buildspec file name and storage location"). */
const DEFAULT_BUILDSPEC_PATH = "buildspec.yml";
/** A buildspec larger than this is refused unread. */
const BUILDSPEC_MAX_BYTES = 1024 * 1024;

export type BuildspecText = { ok: true; text: string; where: string } | { ok: false; problem: string };

/**
 * The buildspec of a build: `requested` is inline YAML (a builtin's contents: it has line breaks,
 * a path never does), a path in the checkout, or undefined for buildspec.yml at its root. A path
 * must stay inside the checkout, symbolic links included, so a build cannot have the app read
 * and show another file of this machine.
 */
export async function readBuildspecText(sourceDirectory: string, requested: string | undefined): Promise<BuildspecText> {
  if (requested?.includes("\n")) return { ok: true, text: requested, where: "the buildspec given with the build" };
  const path = requested ?? DEFAULT_BUILDSPEC_PATH;
  const where = `buildspec ${path}`;
  try {
    const root = await realpath(sourceDirectory);
    const file = await realpath(join(root, path));
    const inside = relative(root, file);
    if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
      return { ok: false, problem: `YAML_FILE_ERROR: ${where} points outside the repository: the buildspec must be a file of the repository` };
    }
    const size = (await stat(file)).size;
    if (size > BUILDSPEC_MAX_BYTES) return { ok: false, problem: `YAML_FILE_ERROR: ${where} is larger than ${BUILDSPEC_MAX_BYTES} bytes` };
    return { ok: true, text: await readFile(file, "utf8"), where };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return {
        ok: false,
        problem: `YAML_FILE_ERROR: ${where} does not exist in the repository at this commit: add it, or set buildspec: in .github/codebuild.yml`,
      };
    }
    if (code === "EISDIR") return { ok: false, problem: `YAML_FILE_ERROR: ${where} is a directory, not a file` };
    throw error;
  }
}
