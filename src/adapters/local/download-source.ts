import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RepositoryFetch } from "../../ports/repository-source.js";
import type { StartBuildRequest } from "../../domain/build.js";
import { buildEnvironment } from "./build-environment.js";
import { buildScript } from "./build-script.js";
import { BUILDSPEC_PHASES, describeBuildspecProblems, parseBuildspec, type Buildspec } from "./buildspec.js";
import { readBuildspecText } from "./buildspec-file.js";
import { fetchSource } from "./git-source.js";
import { workspacePaths, type BuildPaths } from "./sandbox/sandbox.js";

/** A build ready for its shell: its workspace with the checkout and the script of its phases, and its whole environment. */
export interface PreparedBuild {
  spec: Buildspec;
  workspace: string;
  env: Record<string, string>;
}

export interface DownloadSetup {
  buildId: string;
  startTime: Date;
  /** Where the build's temporary directory is made. */
  workRoot: string;
  git: string;
  /** Where to fetch the repository from and with what token, as GitHub says. */
  source: () => Promise<RepositoryFetch>;
  secretValue: (name: string) => Promise<string | undefined>;
  /** The build's paths as its shell sees them, for its workspace. */
  seen: (workspace: string) => BuildPaths;
  /** Makes the workspace the build's (its user, what its sandbox needs), once everything is in it. */
  prepare: (workspace: string) => Promise<void>;
  signal: AbortSignal;
  /** Writes a `[Container]` line to the build's log. */
  say: (text: string) => void;
  /** Told of the build's temporary directory as soon as it exists, so that it is removed whatever happens next. */
  made: (workspace: string) => void;
}

export type Download = { ok: true; build: PreparedBuild } | { ok: false; messages: string[] };

/**
 * CodeBuild's DOWNLOAD_SOURCE, and what it does before INSTALL: a temporary directory with the
 * checkout (src/) and a home of the build's own (home/), the buildspec read and checked, the
 * secrets' values fetched, and the script of the phases written, all of it given to the build.
 */
export async function downloadSource(request: StartBuildRequest, setup: DownloadSetup): Promise<Download> {
  const { say } = setup;
  const workspace = await mkdtemp(join(setup.workRoot, "codebuild-checks-"));
  setup.made(workspace);
  const paths = workspacePaths(workspace);
  const seen = setup.seen(workspace);
  await Promise.all([mkdir(paths.source), mkdir(paths.home)]);

  let repository: RepositoryFetch;
  try {
    repository = await setup.source();
  } catch (error) {
    return { ok: false, messages: [`Could not find where to fetch the repository from: ${(error as Error).message}`] };
  }
  const source = await fetchSource({
    git: setup.git,
    directory: paths.source,
    location: repository.cloneUrl,
    sourceVersion: request.sourceVersion,
    token: repository.token,
    signal: setup.signal,
  });
  if (!source.ok) return { ok: false, messages: [source.problem] };
  say(`CODEBUILD_SRC_DIR=${seen.source}`);

  const text = await readBuildspecText(paths.source, request.buildspec);
  if (!text.ok) return { ok: false, messages: [text.problem] };
  const parsed = parseBuildspec(text.text);
  if (!parsed.ok) return { ok: false, messages: describeBuildspecProblems(parsed.problems, text.where) };
  const spec = parsed.buildspec;
  say(`YAML location is ${text.where}`);

  say("Processing environment variables");
  const variables = await resolveVariables(request, setup.secretValue);
  if (!variables.ok) return { ok: false, messages: [variables.problem] };
  const env = buildEnvironment({
    buildspecVariables: spec.variables,
    variables: variables.values,
    home: seen.home,
    sourceDirectory: seen.source,
    buildId: setup.buildId,
    commit: source.commit,
    sourceVersion: request.sourceVersion,
    sourceLocation: repository.cloneUrl,
    startTime: setup.startTime,
  });
  await writeFile(paths.script, buildScript(spec), { mode: 0o644 });
  await setup.prepare(workspace);

  say(`Moving to directory ${seen.source}`);
  const counted = BUILDSPEC_PHASES.filter(({ key }) => spec.phases[key].commands.length > 0);
  say(`Phases found in YAML: ${counted.length}`);
  for (const { key, name } of counted) say(` ${name}: ${spec.phases[key].commands.length} commands`);
  return { ok: true, build: { spec, workspace, env } };
}

/** The build's variables with each secret's value in place of its name. */
async function resolveVariables(
  request: StartBuildRequest,
  secretValue: DownloadSetup["secretValue"],
): Promise<{ ok: true; values: { name: string; value: string }[] } | { ok: false; problem: string }> {
  const values: { name: string; value: string }[] = [];
  for (const variable of request.variables) {
    if (variable.type === "PLAINTEXT") {
      values.push(variable);
      continue;
    }
    let value: string | undefined;
    try {
      value = await secretValue(variable.value);
    } catch (error) {
      return { ok: false, problem: `Could not read the secret ${variable.value} of variable ${variable.name}: ${(error as Error).message}` };
    }
    if (value === undefined)
      return { ok: false, problem: `There is no secret ${variable.value} for variable ${variable.name}: store it again with /secret set` };
    values.push({ name: variable.name, value });
  }
  return { ok: true, values };
}
