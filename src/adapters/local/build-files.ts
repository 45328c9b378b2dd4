import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LocalBuild } from "./build-state.js";

/** Local build ids: `local:` and a UUID, which names the build's directory under DATA_DIR/builds. */
const LOCAL_BUILD_ID = /^local:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Where a build's state and log are kept; undefined for an id that is not a local build's. */
export function buildDirectory(dataDir: string, id: string): string | undefined {
  const uuid = LOCAL_BUILD_ID.exec(id)?.[1];
  return uuid === undefined ? undefined : join(dataDir, "builds", uuid);
}

export function buildLogFile(directory: string): string {
  return join(directory, "build.log");
}

/** The build's state as last written, or undefined when there is none. */
export async function readBuildState(dataDir: string, id: string): Promise<LocalBuild | undefined> {
  const directory = buildDirectory(dataDir, id);
  if (directory === undefined) return undefined;
  try {
    return JSON.parse(await readFile(join(directory, "build.json"), "utf8")) as LocalBuild;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Replaces the build's state at once (write, then rename), so that a crash never leaves half a file. */
export async function writeBuildState(dataDir: string, build: LocalBuild): Promise<void> {
  const directory = buildDirectory(dataDir, build.id);
  if (directory === undefined) throw new Error(`Not a local build id: ${build.id}`);
  await mkdir(directory, { recursive: true });
  const file = join(directory, "build.json");
  await writeFile(`${file}.tmp`, `${JSON.stringify(build, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
