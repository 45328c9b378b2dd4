import deepmerge from "deepmerge";
import type { ProbotOctokit } from "probot";
import { describeFile, extendedFile, mayExtend, morePrivate, sameRepository, visibilityWords, type ConfigFile, type Visibility } from "./extends.js";
import { EXTENDS_KEY, extendsValue, parseRepoConfig, placeProblem, type ConfigProblem, type ConfigResult, type ProjectPolicy } from "./parse.js";
import { CONFIG_PATH } from "./schema.js";
import { quote } from "./value-words.js";

/** The repository and commit (or branch) whose configuration applies. */
export interface ConfigTarget {
  owner: string;
  repo: string;
  ref: string;
}

/** What the operator lets a repository's configuration do (SPEC 1). */
export interface ConfigPolicy extends ProjectPolicy {
  /** Whether `_extends` may name a repository (`owner/name`) besides the owner's `.github` (CONFIG_EXTENDS_ALLOWED). */
  extendsAllowed(fullName: string): boolean;
}

/**
 * Errors that @probot/octokit-plugin-config raises about the files it read (invalid YAML, a bad
 * `_extends`, a directory where the file should be) start with this; HTTP errors do not.
 */
const PLUGIN_ERROR_PREFIX = "[@probot/octokit-plugin-config] ";

/**
 * A contents-API URL in the plugin's messages, as in `https://api.github.com/repos/o/r/contents/p?ref=x`.
 * Messages may quote a file's values (an `_extends`), so this must stay linear: each try reads one host
 * or one path segment at most (a leading `\S*` was quadratic on a long word).
 */
const CONTENTS_URL = /(?:https?:\/\/[^\s/]+(?:\/api\/v3)?)?\/repos\/([^/\s]+)\/([^/\s]+)\/contents\/([^\s?]+)(?:\?\S*)?/;

/** What each of the plugin's errors means, in a user's words (lib/util/get-config-file.js, get-config-files.js). */
const PLUGIN_ERRORS: readonly [RegExp, string][] = [
  [/\(invalid YAML\)/, "is not valid YAML"],
  [/\(invalid JSON\)/, "is not valid JSON"],
  [/\(YAML is not an object\)/, "is not a mapping of keys to values"],
  [/is either a directory or a submodule/, "is a directory or a submodule, not a file"],
  [/^Invalid value .* for _extends in /, "has an _extends that names no file (write repo, owner/repo or owner/repo:path.yml)"],
  [/^Recursion detected/, "extends a file that extends it back"],
  [/extension is not support/, "extends a file that is not .yml, .yaml or .json"],
];

/** One file the config plugin read (ConfigFile of @probot/octokit-plugin-config). */
interface ReadFile extends ConfigFile {
  config: Record<string, unknown> | null;
}

/**
 * The configuration of `target` at `target.ref` (SPEC 2): Probot's config plugin with `_extends` and
 * the owner's `.github` fallback gives the values, deep-merged as Probot's `context.config()` merges
 * them; the repository's own file gives line numbers. Values never come from a repository the
 * operator did not allow, or from one more private than `target`.
 * GitHub errors other than a missing file are thrown: they say nothing about the configuration.
 */
export async function loadRepoConfig(octokit: ProbotOctokit, target: ConfigTarget, policy: ConfigPolicy): Promise<ConfigResult> {
  const raw = await readOwnFile(octokit, target);
  const named = raw === null ? undefined : namedBase(raw, target, policy);
  if (named && !named.ok) return refused(raw, policy, named.problem);
  const firstHop = named?.file;
  const merged = await readMergedConfig(octokit, target);
  if (!merged.ok) {
    // The plugin stops at the first error; the file itself may say more, and where.
    const own = raw === null ? null : parseRepoConfig({ raw }, policy);
    return own && !own.ok ? own : refused(raw, policy, describePluginError(merged.error, target, firstHop), firstHop !== undefined);
  }
  const problem = await baseProblem(octokit, target, merged.files, policy, firstHop);
  if (problem) return refused(raw, policy, problem, firstHop !== undefined);
  return parseRepoConfig({ raw, merged: merged.config }, policy);
}

/**
 * A configuration that may not be used: the problems of the repository's own file and `message`,
 * on the `_extends` line when the file names the base there.
 */
function refused(raw: string | null, policy: ConfigPolicy, message: string, onExtends = true): ConfigResult {
  const own = raw === null ? null : parseRepoConfig({ raw }, policy);
  const problem: ConfigProblem = raw !== null && onExtends ? placeProblem(raw, [EXTENDS_KEY], message) : { message, path: [] };
  const problems = [...(own && !own.ok ? own.problems : []), problem];
  return { ok: false, problems: problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)) };
}

type NamedBase = { ok: true; file: ConfigFile } | { ok: false; problem: string };

/** What the repository's own file names in `_extends`, checked before anything of it is read. */
function namedBase(raw: string, target: ConfigTarget, policy: ConfigPolicy): NamedBase | undefined {
  const value = extendsValue(raw);
  if (typeof value !== "string") return undefined;
  const file = extendedFile(value, { owner: target.owner, path: CONFIG_PATH });
  if (!file) return { ok: false, problem: `${EXTENDS_KEY} ${JSON.stringify(value)} names no file: write repo, owner/repo or owner/repo:path.yml` };
  if (!mayExtend(target, file, policy.extendsAllowed)) {
    return {
      ok: false,
      problem: `${EXTENDS_KEY} names ${quote(describeFile(file))}: a configuration may extend only its owner's .github repository or a repository the app's operator lists in CONFIG_EXTENDS_ALLOWED`,
    };
  }
  return { ok: true, file };
}

/**
 * Why the files the plugin read may not be used, or null: every base must be a repository this one
 * may extend, and none more private than this one.
 */
async function baseProblem(octokit: ProbotOctokit, target: ConfigTarget, files: ReadFile[], policy: ConfigPolicy, firstHop: ConfigFile | undefined): Promise<string | null> {
  const bases = files.slice(1).filter((file) => file.config !== null && !sameRepository(file, target));
  if (bases.length === 0) return null;
  const name = (file: ReadFile) => (isKnown(file, target, firstHop) ? quote(describeFile(file)) : undefined);
  const beyond = firstHop ? `${quote(describeFile(firstHop))} extends another repository's configuration that` : "the owner's .github configuration extends another repository's configuration that";
  for (const base of bases) {
    if (!mayExtend(target, base, policy.extendsAllowed)) {
      return `${beyond} is not the owner's .github repository or a repository the app's operator lists in CONFIG_EXTENDS_ALLOWED`;
    }
  }
  const visibility = await visibilityOf(octokit, target);
  for (const base of bases) {
    const baseVisibility = await visibilityOf(octokit, base);
    if (!morePrivate(baseVisibility, visibility)) continue;
    const what = name(base);
    const exposure = `this repository is ${visibilityWords(visibility)}: its values would show in this repository's check runs and build logs`;
    if (what === undefined) return `${beyond} is ${visibilityWords(baseVisibility)}, and ${exposure}`;
    return `${what} is in a ${visibilityWords(baseVisibility)} repository and ${exposure}. Put what this repository needs in its own ${CONFIG_PATH}`;
  }
  return null;
}

/** The owner's `.github` file and the base the repository's own file names are known without reading any base. */
function isKnown(file: ConfigFile, target: ConfigTarget, firstHop: ConfigFile | undefined): boolean {
  const ownersGithub = sameRepository(file, { owner: target.owner, repo: ".github" }) && file.path === CONFIG_PATH;
  const named = firstHop !== undefined && sameRepository(file, firstHop) && file.path === firstHop.path;
  return ownersGithub || named;
}

async function visibilityOf(octokit: ProbotOctokit, repository: Pick<ConfigFile, "owner" | "repo">): Promise<Visibility> {
  const { data } = await octokit.rest.repos.get({ owner: repository.owner, repo: repository.repo });
  const said = data.visibility;
  return said === "public" || said === "internal" || said === "private" ? said : data.private ? "private" : "public";
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
): Promise<{ ok: true; config: Record<string, unknown>; files: ReadFile[] } | { ok: false; error: Error }> {
  try {
    // Probot's context.config() merges the files so (deepmerge's defaults: mappings merged key by key, lists concatenated).
    const defaults = (configs: object[]) => deepmerge.all<Record<string, unknown>>([{}, ...configs]);
    const { config, files } = await octokit.config.get({ owner, repo, path: CONFIG_PATH, branch: ref, defaults });
    return { ok: true, config, files: files as ReadFile[] };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(PLUGIN_ERROR_PREFIX)) return { ok: false, error };
    throw error;
  }
}

/**
 * The plugin's error in a user's words, naming the file only when the repository's own file (or the
 * owner's `.github` fallback) led to it: the plugin quotes values of the files it read, which may be
 * more private than this check run.
 */
function describePluginError(error: Error, target: ConfigTarget, firstHop: ConfigFile | undefined): string {
  const message = error.message.slice(PLUGIN_ERROR_PREFIX.length);
  const meaning = PLUGIN_ERRORS.find(([pattern]) => pattern.test(message))?.[1] ?? "cannot be read";
  const url = CONTENTS_URL.exec(message);
  const file = url ? { owner: url[1]!, repo: url[2]!, path: decodeURIComponent(url[3]!) } : undefined;
  if (file && isKnown(file, target, firstHop)) return `${quote(describeFile(file))} ${meaning}`;
  const start = firstHop ? quote(describeFile(firstHop)) : "the owner's .github configuration";
  return `a configuration that ${start} extends ${meaning}`;
}

function statusOf(error: unknown): unknown {
  return typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
}
