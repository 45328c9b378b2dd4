import { posix } from "node:path";

/*
 * These run over build output (SPEC 5: linear time): each is anchored at the start and has no two
 * adjacent quantifiers over the same characters, so it is tried once per line or path.
 */

/**
 * CodeBuild's agent names the primary source's directory while it downloads the source:
 * `[Container] 2025/11/25 14:20:02.641502 CODEBUILD_SRC_DIR=/codebuild/output/src…/src/github.com/OWNER/REPO`
 * (secondary sources get `CODEBUILD_SRC_DIR_<id>=`, which is not this repository).
 */
const ANNOUNCED_SOURCE_ROOT = /^\[Container\] \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? CODEBUILD_SRC_DIR=(\/\S.*)$/s;
/** Where CodeBuild checks out a GitHub or GitHub Enterprise source: `/codebuild/output/src<digits>/src/<host>/<owner>/<repo>`. */
const CODEBUILD_CHECKOUT = /^\/codebuild\/output\/src\d+\/src\/[^/]+\/[^/]+\/[^/]+(?=\/)/;
/** `C:\…` or `C:/…`: absolute on Windows, so not in a Linux checkout. */
const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]/;

/** The source directories CodeBuild announced in the log (normally one). */
export function sourceRootsFromLog(lines: readonly string[]): string[] {
  return lines.flatMap((line) => ANNOUNCED_SOURCE_ROOT.exec(line)?.[1]?.trimEnd() ?? []);
}

/**
 * A printed path as a path in the repository, or undefined when it points outside it. Absolute paths
 * must lie under one of `sourceRoots`; with none known, under a directory shaped like CodeBuild's
 * checkout of a GitHub repository. Relative paths are taken as relative to the repository root, where
 * the build's commands start. Paths through `node_modules` are installed dependencies, not the
 * repository's code, and are left out too.
 */
export function repositoryPath(printed: string, sourceRoots: string[]): string | undefined {
  const path = printed.trim();
  if (WINDOWS_ABSOLUTE.test(path)) return undefined;
  const relative = path.startsWith("/") ? underRoot(path, sourceRoots) : path;
  if (relative === undefined) return undefined;
  const normal = posix.normalize(relative).replace(/\/+$/, "");
  if (normal === "" || normal === "." || normal === ".." || normal.startsWith("../") || normal.startsWith("/")) return undefined;
  return normal.split("/").includes("node_modules") ? undefined : normal;
}

function underRoot(path: string, sourceRoots: string[]): string | undefined {
  const root =
    sourceRoots.length > 0
      ? sourceRoots.map((root) => posix.normalize(root).replace(/\/+$/, "")).find((root) => path.startsWith(`${root}/`))
      : CODEBUILD_CHECKOUT.exec(path)?.[0];
  return root === undefined ? undefined : path.slice(root.length + 1);
}
