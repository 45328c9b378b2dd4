import deepmerge from "deepmerge";
import type { ProbotOctokit } from "probot";
import { describeFile, extendedFile, mayExtend, morePrivate, sameRepository, visibilityWords, type ConfigFile, type Visibility } from "./extends.js";
import {
  EXTENDS_KEY,
  extendsValue,
  parseRepoConfig,
  placeProblem,
  readConfigValues,
  type ConfigProblem,
  type ConfigResult,
  type ProjectPolicy,
} from "./parse.js";
import { CONFIG_PATH } from "./schema.js";
import { quote } from "./value-words.js";

/*
 * SPEC 2 names Probot's config plugin (`octokit.config.get`); the app reads the files itself instead,
 * with the plugin's semantics: the repository's file at the ref; without one, the owner's `.github`
 * repository's; then each `_extends` in turn (from the target's owner, at the default branch, a
 * missing base ignored), merged as Probot's `context.config()` merges them. The plugin reads the
 * repository's file once more beside the raw read the line numbers need, and cannot be told to
 * check a base before reading it: reading once costs one GitHub request a build instead of two or three.
 */

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

/** One file of the chain: where it is, and its values without `_extends`. */
interface ChainFile extends ConfigFile {
  values: Record<string, unknown>;
}

/** A path where GitHub has a directory or a submodule rather than a file. */
const NOT_A_FILE = Symbol("not a file");

type Chain = { ok: true; files: ChainFile[] } | { ok: false; problem: string };

/**
 * The configuration of `target` at `target.ref` (SPEC 2): the repository's own file gives the values
 * and line numbers; `_extends` and the owner's `.github` fallback add to them, deep-merged as
 * Probot's `context.config()` merges them. Values never come from a repository the operator did
 * not allow, or from one more private than `target`; a problem in such a file never quotes it.
 * GitHub errors other than a missing file are thrown: they say nothing about the configuration.
 */
export async function loadRepoConfig(octokit: ProbotOctokit, target: ConfigTarget, policy: ConfigPolicy): Promise<ConfigResult> {
  const own = { owner: target.owner, repo: target.repo, path: CONFIG_PATH };
  const raw = await readConfigText(octokit, own, target.ref);
  if (raw === NOT_A_FILE) return { ok: false, problems: [{ message: `${CONFIG_PATH} is a directory or a submodule, not a file`, path: [] }] };
  if (raw === null) {
    // Probot's fallback: the owner's `.github` repository, unless this is it.
    if (target.repo === ".github") return parseRepoConfig({ raw: null }, policy);
    const chain = await ownersFallback(octokit, target, policy);
    if (!chain.ok) return refused(null, policy, chain.problem);
    return parseRepoConfig({ raw: null, ...(chain.files.length > 0 && { merged: mergeConfigs(chain.files) }) }, policy);
  }
  const read = readConfigValues(raw);
  // The file's own problems, with their lines.
  if (!read.ok) return parseRepoConfig({ raw }, policy);
  const named = namedBase(raw, target, policy);
  if (named && !named.ok) return refused(raw, policy, named.problem);
  const firstHop = named?.file;
  const chain = await followExtends(octokit, target, policy, [{ ...own, values: read.values }], firstHop);
  if (!chain.ok) return refused(raw, policy, chain.problem, firstHop !== undefined);
  return parseRepoConfig({ raw, merged: mergeConfigs(chain.files) }, policy);
}

/** Probot's `context.config()` merge (deepmerge's defaults: mappings merged key by key, lists concatenated), the base first. */
function mergeConfigs(files: readonly ChainFile[]): Record<string, unknown> {
  return deepmerge.all<Record<string, unknown>>([{}, ...files.map((file) => file.values).reverse()]);
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

/** The owner's `.github` configuration and what it extends; no files when it has none. */
async function ownersFallback(octokit: ProbotOctokit, target: ConfigTarget, policy: ConfigPolicy): Promise<Chain> {
  const file: ConfigFile = { owner: target.owner, repo: ".github", path: CONFIG_PATH };
  const text = await readConfigText(octokit, file);
  if (text === null) return { ok: true, files: [] };
  const chain = new ChainReader(octokit, target, policy, undefined);
  const base = await chain.admit(file, text);
  if (!base.ok) return base;
  return chain.follow([base.file]);
}

/** The files `_extends` leads to from the repository's own, each checked before it is read. */
function followExtends(
  octokit: ProbotOctokit,
  target: ConfigTarget,
  policy: ConfigPolicy,
  files: ChainFile[],
  firstHop: ConfigFile | undefined,
): Promise<Chain> {
  return new ChainReader(octokit, target, policy, firstHop).follow(files);
}

/**
 * Reads an `_extends` chain for one repository: every base checked (allowed, and no more private
 * than the repository) before its values are used, every problem worded without quoting a base.
 */
class ChainReader {
  /** Repositories' visibility by `owner/repo`, each asked of GitHub once. */
  private readonly visibilities = new Map<string, Promise<Visibility>>();

  constructor(
    private readonly octokit: ProbotOctokit,
    private readonly target: ConfigTarget,
    private readonly policy: ConfigPolicy,
    /** The base the repository's own file names, which problems may name. */
    private readonly firstHop: ConfigFile | undefined,
  ) {}

  /** Follows the last file's `_extends` until a file has none or a base is missing. */
  async follow(files: ChainFile[]): Promise<Chain> {
    for (;;) {
      const last = files[files.length - 1]!;
      if (!(EXTENDS_KEY in last.values)) return { ok: true, files };
      const { [EXTENDS_KEY]: value, ...values } = last.values;
      // The repository's own file reports an `_extends` that is not text on its line (parseRepoConfig).
      if (typeof value !== "string" && files.length === 1 && sameRepository(last, this.target)) return { ok: true, files };
      files[files.length - 1] = { ...last, values };
      const next = typeof value === "string" ? extendedFile(value, { owner: this.target.owner, path: CONFIG_PATH }) : null;
      if (!next) return this.unreadable(last, "has an _extends that names no file (write repo, owner/repo or owner/repo:path.yml)");
      if (files.some((file) => sameFile(file, next))) return this.unreadable(last, "extends a file that extends it back");
      const refusal = await this.refusal(next);
      if (refusal) return { ok: false, problem: refusal };
      const text = await readConfigText(this.octokit, next);
      // Probot's plugin ignores a base that does not exist.
      if (text === null) return { ok: true, files };
      const base = await this.admit(next, text);
      if (!base.ok) return base;
      files.push(base.file);
    }
  }

  /** A file read from GitHub, as values, or why it cannot be used. */
  async admit(file: ConfigFile, text: string | typeof NOT_A_FILE): Promise<{ ok: true; file: ChainFile } | { ok: false; problem: string }> {
    if (text === NOT_A_FILE) return this.unreadable(file, "is a directory or a submodule, not a file");
    const read = readConfigValues(text);
    if (!read.ok) return this.unreadable(file, read.problem);
    const refusal = sameRepository(file, this.target) ? null : await this.visibilityRefusal(file);
    return refusal ? { ok: false, problem: refusal } : { ok: true, file: { ...file, values: read.values } };
  }

  /** Why a further base may not be read: the operator does not allow it, or it is more private. */
  private async refusal(base: ConfigFile): Promise<string | null> {
    if (sameRepository(base, this.target)) return null;
    if (!mayExtend(this.target, base, this.policy.extendsAllowed)) {
      return `${this.beyond} is not the owner's .github repository or a repository the app's operator lists in CONFIG_EXTENDS_ALLOWED`;
    }
    return this.visibilityRefusal(base);
  }

  private async visibilityRefusal(base: ConfigFile): Promise<string | null> {
    const visibility = await this.visibilityOf(this.target);
    const baseVisibility = await this.visibilityOf(base);
    if (!morePrivate(baseVisibility, visibility)) return null;
    const exposure = `this repository is ${visibilityWords(visibility)}: its values would show in this repository's check runs and build logs`;
    if (!this.isKnown(base)) return `${this.beyond} is ${visibilityWords(baseVisibility)}, and ${exposure}`;
    return `${quote(describeFile(base))} is in a ${visibilityWords(baseVisibility)} repository and ${exposure}. Put what this repository needs in its own ${CONFIG_PATH}`;
  }

  private visibilityOf(repository: Pick<ConfigFile, "owner" | "repo">): Promise<Visibility> {
    const key = `${repository.owner}/${repository.repo}`.toLowerCase();
    let known = this.visibilities.get(key);
    if (!known) this.visibilities.set(key, (known = visibilityOf(this.octokit, repository)));
    return known;
  }

  /** A file that cannot be used, named only when the repository's own file (or the owner's `.github` fallback) led to it. */
  private unreadable(file: ConfigFile, meaning: string): { ok: false; problem: string } {
    if (this.isKnown(file)) return { ok: false, problem: `${quote(describeFile(file))} ${meaning}` };
    const start = this.firstHop ? quote(describeFile(this.firstHop)) : "the owner's .github configuration";
    return { ok: false, problem: `a configuration that ${start} extends ${meaning}` };
  }

  /** How a problem names a base the repository's own file does not name. */
  private get beyond(): string {
    return this.firstHop
      ? `${quote(describeFile(this.firstHop))} extends another repository's configuration that`
      : "the owner's .github configuration extends another repository's configuration that";
  }

  /** The owner's `.github` file and the base the repository's own file names are known without reading any base. */
  private isKnown(file: ConfigFile): boolean {
    const ownersGithub = sameFile(file, { owner: this.target.owner, repo: ".github", path: CONFIG_PATH });
    return ownersGithub || (this.firstHop !== undefined && sameFile(file, this.firstHop));
  }
}

function sameFile(a: ConfigFile, b: ConfigFile): boolean {
  return sameRepository(a, b) && a.path === b.path;
}

async function visibilityOf(octokit: ProbotOctokit, repository: Pick<ConfigFile, "owner" | "repo">): Promise<Visibility> {
  const { data } = await octokit.rest.repos.get({ owner: repository.owner, repo: repository.repo });
  const said = data.visibility;
  return said === "public" || said === "internal" || said === "private" ? said : data.private ? "private" : "public";
}

/**
 * A file as text, with the contents API's raw media type (one request): at `ref`, or at the default
 * branch without one; null when there is none, NOT_A_FILE for a directory or submodule.
 */
async function readConfigText(octokit: ProbotOctokit, { owner, repo, path }: ConfigFile, ref?: string): Promise<string | null | typeof NOT_A_FILE> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ...(ref !== undefined && { ref }), mediaType: { format: "raw" } });
    const body: unknown = data;
    if (typeof body === "string") return body;
    if (body instanceof ArrayBuffer) return new TextDecoder().decode(body);
    // GitHub answers a directory or a submodule with JSON whatever the media type.
    return NOT_A_FILE;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

function statusOf(error: unknown): unknown {
  return typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
}
