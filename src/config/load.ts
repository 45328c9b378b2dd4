import type { ProbotOctokit } from "probot";
import { parseRepoConfig, type ConfigResult, type ProjectPolicy } from "./parse.js";
import { CONFIG_PATH } from "./schema.js";

/** The repository and commit (or branch) whose configuration applies. */
export interface ConfigTarget {
  owner: string;
  repo: string;
  ref: string;
}

/**
 * Errors that @probot/octokit-plugin-config raises about the files it read (invalid YAML, a bad
 * `_extends`, a directory where the file should be) start with this; HTTP errors do not.
 */
const PLUGIN_ERROR_PREFIX = "[@probot/octokit-plugin-config] ";

/**
 * A contents-API URL in the plugin's messages, as in `https://api.github.com/repos/o/r/contents/p?ref=x`.
 * Messages quote the repository's file (YAML errors show its lines), so this must stay linear: each try
 * reads one host or one path segment at most (a leading `\S*` was quadratic on a long word).
 */
const CONTENTS_URL = /(?:https?:\/\/[^\s/]+(?:\/api\/v3)?)?\/repos\/([^/\s]+)\/([^/\s]+)\/contents\/([^\s?]+)(?:\?\S*)?/g;
/** What the plugin ends some messages with; dropped by a scan from the end, not `/\s*Ignoring\.?$/` (quadratic on long runs of spaces). */
const IGNORING = "Ignoring";

/**
 * The configuration of `target` at `target.ref` (SPEC 2): Probot's config plugin with `_extends` and
 * the owner's `.github` fallback gives the values, the repository's own file gives line numbers.
 * GitHub errors other than a missing file are thrown: they say nothing about the configuration.
 */
export async function loadRepoConfig(octokit: ProbotOctokit, target: ConfigTarget, policy: ProjectPolicy): Promise<ConfigResult> {
  const [raw, merged] = await Promise.all([readOwnFile(octokit, target), readMergedConfig(octokit, target)]);
  if (merged.ok) return parseRepoConfig({ raw, merged: merged.config }, policy);
  // The plugin stops at the first error; the file itself may say more, and where.
  const own = raw === null ? null : parseRepoConfig({ raw }, policy);
  if (own && !own.ok) return own;
  return { ok: false, problems: [{ message: describePluginError(merged.error), path: [] }] };
}

/** The repository's own file at the ref, as text; null when it has none. */
async function readOwnFile(octokit: ProbotOctokit, { owner, repo, ref }: ConfigTarget): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, ref, path: CONFIG_PATH, mediaType: { format: "raw" } });
    const body: unknown = data;
    if (typeof body === "string") return body;
    if (body instanceof ArrayBuffer) return new TextDecoder().decode(body);
    // A directory or submodule: the config plugin reports it.
    return null;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

async function readMergedConfig(
  octokit: ProbotOctokit,
  { owner, repo, ref }: ConfigTarget,
): Promise<{ ok: true; config: Record<string, unknown> } | { ok: false; error: Error }> {
  try {
    const { config } = await octokit.config.get({ owner, repo, path: CONFIG_PATH, branch: ref });
    return { ok: true, config };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(PLUGIN_ERROR_PREFIX)) return { ok: false, error };
    throw error;
  }
}

/** The plugin's message in a user's words: files as `owner/repo:path`, the YAML error's first line. */
function describePluginError(error: Error): string {
  const message = error.message
    .slice(PLUGIN_ERROR_PREFIX.length)
    .replace(CONTENTS_URL, (_url, owner: string, repo: string, path: string) => `${owner}/${repo}:${decodeURIComponent(path)}`);
  const withoutStop = message.endsWith(`${IGNORING}.`) ? message.slice(0, -1) : message;
  const described = withoutStop.endsWith(IGNORING) ? withoutStop.slice(0, -IGNORING.length).trimEnd() : message;
  const cause = error.cause instanceof Error ? `: ${error.cause.message.split("\n")[0]?.replace(/:$/, "")}` : "";
  return `${described}${cause}`;
}

function statusOf(error: unknown): unknown {
  return typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
}
