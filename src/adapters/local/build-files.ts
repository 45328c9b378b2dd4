import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { readStoredJson, type SameShape } from "../../lib/stored-data.js";
import type { LocalBuild, LocalPhase } from "./build-state.js";

/** Local build ids: `local:` and a UUID, which names the build's directory under DATA_DIR/builds. */
const LOCAL_BUILD_ID = /^local:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const statuses = ["IN_PROGRESS", "SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"] as const;

const localPhaseSchema = z.object({
  name: z.string(),
  status: z.enum(statuses),
  startTime: z.iso.datetime(),
  endTime: z.iso.datetime().optional(),
  durationSeconds: z.number().nonnegative().optional(),
  messages: z.array(z.string()),
});

/** A build's state as read back from its file: stored data is input (its process id is signalled, its workspace removed). */
const localBuildSchema = z.object({
  id: z.string().regex(LOCAL_BUILD_ID),
  status: z.enum(statuses),
  startTime: z.iso.datetime(),
  endTime: z.iso.datetime().optional(),
  phases: z.array(localPhaseSchema),
  process: z.object({ pid: z.number().int().min(2), startTicks: z.string().optional() }).optional(),
  workspace: z.string().optional(),
  exportedVariables: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});

const _phase: SameShape<z.infer<typeof localPhaseSchema>, LocalPhase> = true;
const _build: SameShape<z.infer<typeof localBuildSchema>, LocalBuild> = true;

/** Where a build's state and log are kept; undefined for an id that is not a local build's. */
export function buildDirectory(dataDir: string, id: string): string | undefined {
  const uuid = LOCAL_BUILD_ID.exec(id)?.[1];
  return uuid === undefined ? undefined : join(dataDir, "builds", uuid);
}

export function buildLogFile(directory: string): string {
  return join(directory, "build.log");
}

/** The build's state as last written; undefined when there is none, or when it is not a state the runner could have written. */
export async function readBuildState(dataDir: string, id: string): Promise<LocalBuild | undefined> {
  const directory = buildDirectory(dataDir, id);
  if (directory === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(join(directory, "build.json"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const read = readStoredJson(localBuildSchema, text);
  return read.ok && read.value.id === id ? read.value : undefined;
}

/** Replaces the build's state at once (write, then rename), so that a crash never leaves half a file. */
export async function writeBuildState(dataDir: string, build: LocalBuild): Promise<void> {
  const directory = buildDirectory(dataDir, build.id);
  if (directory === undefined) throw new Error(`Not a local build id: ${build.id}`);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const file = join(directory, "build.json");
  await writeFile(`${file}.tmp`, `${JSON.stringify(build, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
