/** A configuration file in a repository: what `_extends` names, and what the config plugin read. */
export interface ConfigFile {
  owner: string;
  repo: string;
  path: string;
}

/**
 * `_extends`' grammar as @probot/octokit-plugin-config reads it
 * (lib/util/extends-to-get-content-params.js): `repo`, `owner/repo` or `owner/repo:path.yml`.
 */
const EXTENDS_VALUE = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

/** The file an `_extends` value names, from a file of `owner` at `path`; null when it names none. */
export function extendedFile(value: string, from: { owner: string; path: string }): ConfigFile | null {
  const match = EXTENDS_VALUE.exec(value);
  if (!match) return null;
  return { owner: match[1] ?? from.owner, repo: match[2]!, path: match[3] ?? from.path };
}

/** `owner/repo:path`, as problems name a file. */
export function describeFile(file: ConfigFile): string {
  return `${file.owner}/${file.repo}:${file.path}`;
}

export function sameRepository(a: Pick<ConfigFile, "owner" | "repo">, b: Pick<ConfigFile, "owner" | "repo">): boolean {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();
}

/**
 * Whether a repository's configuration may take values from `base` (SPEC 1, 3): its own files, its
 * owner's `.github` repository, or a repository the operator allows (CONFIG_EXTENDS_ALLOWED).
 */
export function mayExtend(
  repository: Pick<ConfigFile, "owner" | "repo">,
  base: Pick<ConfigFile, "owner" | "repo">,
  allowed: (fullName: string) => boolean,
): boolean {
  if (sameRepository(repository, base)) return true;
  if (sameRepository({ owner: repository.owner, repo: ".github" }, base)) return true;
  return allowed(`${base.owner}/${base.repo}`);
}

/** GitHub's repository visibilities, from the most private. */
export type Visibility = "private" | "internal" | "public";
const OPENNESS: Record<Visibility, number> = { private: 0, internal: 1, public: 2 };

/** Whether values of a `base` repository would be seen by more people in a `repository`'s check runs and logs. */
export function morePrivate(base: Visibility, repository: Visibility): boolean {
  return OPENNESS[base] < OPENNESS[repository];
}

/** How a problem says who can see a repository. */
export function visibilityWords(visibility: Visibility): string {
  return visibility === "internal" ? "internal (visible to the enterprise's members only)" : visibility;
}
