import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StartBuildRequest } from "../../builds/runner.js";
import { buildEnvironment } from "./build-environment.js";
import { buildScript } from "./build-script.js";
import { chownTree, type BuildUser } from "./build-user.js";
import { BUILDSPEC_PHASES, describeBuildspecProblems, parseBuildspec, type Buildspec } from "./buildspec.js";
import { readBuildspecText } from "./buildspec-file.js";
import { fetchSource } from "./git-source.js";

/** A build ready for its shell: the checkout, the script of its phases, and its whole environment. */
export interface PreparedBuild {
  spec: Buildspec;
  script: string;
  sourceDirectory: string;
  env: Record<string, string>;
}

export interface DownloadSetup {
  buildId: string;
  startTime: Date;
  /** Where the build's temporary directory is made. */
  workRoot: string;
  git: string;
  user: BuildUser | null;
  fetchToken: (request: StartBuildRequest) => Promise<string | undefined>;
  secretValue: (name: string) => Promise<string | undefined>;
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
 * secrets' values fetched, and the script of the phases written, all of it given to the build user.
 */
export async function downloadSource(request: StartBuildRequest, setup: DownloadSetup): Promise<Download> {
  const { say } = setup;
  const workspace = await mkdtemp(join(setup.workRoot, "codebuild-checks-"));
  setup.made(workspace);
  const sourceDirectory = join(workspace, "src");
  const home = join(workspace, "home");
  await Promise.all([mkdir(sourceDirectory), mkdir(home)]);

  let token: string | undefined;
  try {
    token = await setup.fetchToken(request);
  } catch (error) {
    return { ok: false, messages: [`Could not get a token to fetch the repository: ${(error as Error).message}`] };
  }
  const source = await fetchSource({
    git: setup.git,
    directory: sourceDirectory,
    location: request.sourceLocation,
    sourceVersion: request.sourceVersion,
    token,
    signal: setup.signal,
  });
  if (!source.ok) return { ok: false, messages: [source.problem] };
  say(`CODEBUILD_SRC_DIR=${sourceDirectory}`);

  const text = await readBuildspecText(sourceDirectory, request.buildspec);
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
    home,
    sourceDirectory,
    buildId: setup.buildId,
    commit: source.commit,
    sourceVersion: request.sourceVersion,
    sourceLocation: request.sourceLocation,
    startTime: setup.startTime,
  });
  const script = join(workspace, "buildspec.sh");
  await writeFile(script, buildScript(spec), { mode: 0o644 });
  if (setup.user) await chownTree(workspace, setup.user);

  say(`Moving to directory ${sourceDirectory}`);
  const counted = BUILDSPEC_PHASES.filter(({ key }) => spec.phases[key].commands.length > 0);
  say(`Phases found in YAML: ${counted.length}`);
  for (const { key, name } of counted) say(` ${name}: ${spec.phases[key].commands.length} commands`);
  return { ok: true, build: { spec, script, sourceDirectory, env } };
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
    if (value === undefined) return { ok: false, problem: `There is no secret ${variable.value} for variable ${variable.name}: store it again with /secret set` };
    values.push({ name: variable.name, value });
  }
  return { ok: true, values };
}
