import { execFile } from "node:child_process";
import { homedir } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Git's output kept for an error message: the end of it, where git says what went wrong. */
const GIT_ERROR_MAX_CHARS = 2_000;

/** The app's proxy settings reach git, so that fetches work where the app's own requests do. */
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

export interface SourceRequest {
  /** The git executable. */
  git: string;
  /** An empty directory to check the commit out in. */
  directory: string;
  /** The repository's clone URL (https://, or file:// in tests). */
  location: string;
  /** CodeBuild's sourceVersion: `refs/…^{sha}`, a sha, or a ref. */
  sourceVersion: string;
  /** The installation token; given to the one `git fetch` that needs it, and to nothing else. */
  token?: string;
  signal?: AbortSignal;
}

export type SourceResult = { ok: true; commit: string } | { ok: false; problem: string };

/** What to fetch for a sourceVersion: the commit in `…^{sha}`, else the sourceVersion itself. */
export function fetchTarget(sourceVersion: string): string {
  return /\^\{([0-9a-f]{40}|[0-9a-f]{64})\}$/.exec(sourceVersion)?.[1] ?? sourceVersion;
}

/**
 * A shallow checkout of the one commit: `git init`, `git fetch --depth 1 URL SHA`, `git checkout
 * --detach FETCH_HEAD`. The token goes to the fetch as an HTTP header through git's configuration
 * environment (GIT_CONFIG_COUNT…), so it is in no command line, in no file of the checkout, and in
 * no environment of the build.
 */
export async function fetchSource(request: SourceRequest): Promise<SourceResult> {
  const target = fetchTarget(request.sourceVersion);
  const git = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(request.git, args, { cwd: request.directory, env: { ...gitEnvironment(), ...env }, signal: request.signal, maxBuffer: 16 * 1024 * 1024 });
  try {
    await git(["init", "--quiet"]);
    await git(["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--depth", "1", request.location, target], tokenEnvironment(request.token));
    await git(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", "FETCH_HEAD"]);
    const { stdout } = await git(["rev-parse", "HEAD"]);
    return { ok: true, commit: stdout.trim() };
  } catch (error) {
    if (request.signal?.aborted) return { ok: false, problem: "The fetch was interrupted." };
    const said = hideToken(((error as { stderr?: string }).stderr ?? (error as Error).message).trim(), request.token);
    return {
      ok: false,
      problem: `Could not fetch ${target} from ${request.location}: ${said.slice(-GIT_ERROR_MAX_CHARS) || "git failed without saying why"}`,
    };
  }
}

/** Git sees none of the app's environment but what it needs to reach the repository. */
function gitEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: homedir(), LANG: "C", GIT_TERMINAL_PROMPT: "0" };
  for (const name of PROXY_VARIABLES) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/** GitHub takes an installation token as the password of the user `x-access-token`. */
function tokenEnvironment(token: string | undefined): NodeJS.ProcessEnv {
  if (!token) return {};
  const credentials = Buffer.from(`x-access-token:${token}`).toString("base64");
  return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: Basic ${credentials}` };
}

function hideToken(text: string, token: string | undefined): string {
  if (!token) return text;
  return text
    .split(token)
    .join("***")
    .split(Buffer.from(`x-access-token:${token}`).toString("base64"))
    .join("***");
}
