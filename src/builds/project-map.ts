import { matchesGlob } from "./globs.js";

/**
 * One rule of the operator's map (`CODEBUILD_PROJECTS`, SPEC 1): the repositories whose
 * `owner/name` matches `repositories` build in `projects`, the first by default.
 */
export interface ProjectRule {
  repositories: string;
  projects: string[];
}

/** The projects a repository may build in (the first is its default) and where that was decided. */
export interface RepositoryProjects {
  projects: string[];
  /** The rule of CODEBUILD_PROJECTS that maps the repository; absent when CODEBUILD_PROJECT serves it (or nothing does). */
  rule?: ProjectRule;
}

export type ProjectMapResult = { ok: true; rules: ProjectRule[] } | { ok: false; problem: string };

/** CodeBuild's rule for project names (CodeBuild API reference, CreateProject: name). */
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;

const RULE_SHAPE = "expected comma-separated rules REPO_GLOB=PROJECT[|PROJECT…], such as acme/web=web-build|web-large,acme/api-*=api-build";

/** Parses `CODEBUILD_PROJECTS`; an empty text is an empty map. */
export function parseProjectMap(text: string): ProjectMapResult {
  const rules: ProjectRule[] = [];
  for (const written of text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    const parts = written.split("=");
    if (parts.length !== 2) return { ok: false, problem: `rule ${JSON.stringify(written)} has ${parts.length - 1} "=": ${RULE_SHAPE}` };
    const repositories = parts[0]!.trim();
    const projects = parts[1]!.split("|").map((p) => p.trim());
    const problem = globProblem(repositories) ?? projectsProblem(projects);
    if (problem) return { ok: false, problem: `rule ${JSON.stringify(written)}: ${problem}` };
    rules.push({ repositories, projects });
  }
  return { ok: true, rules };
}

function globProblem(glob: string): string | null {
  if (glob === "") return `the repositories are missing before "=": ${RULE_SHAPE}`;
  if (glob.startsWith("!")) return "a rule cannot exclude repositories (a leading !): list the repositories it maps";
  if (!glob.includes("/") && glob !== "**")
    return `${JSON.stringify(glob)} cannot match a repository: write owner/name globs such as acme/web, acme/* or */* (every repository)`;
  return null;
}

function projectsProblem(projects: string[]): string | null {
  const bad = projects.find((p) => !PROJECT_NAME.test(p));
  if (bad !== undefined) {
    return bad === ""
      ? `a project name is missing: ${RULE_SHAPE}`
      : `${JSON.stringify(bad)} is not a CodeBuild project name (2 to 255 letters, digits, - and _, starting with a letter or digit)`;
  }
  const repeated = projects.find((p, i) => projects.indexOf(p) !== i);
  return repeated === undefined ? null : `project ${repeated} is named twice`;
}

/**
 * Whether an `owner/name` glob matches a repository, with GitHub Actions' glob syntax (`*` within the
 * owner or the name, `**` across the slash), in time linear in the name; GitHub's names are
 * case-insensitive, so the glob is too.
 */
export function repositoryMatches(glob: string, fullName: string): boolean {
  return matchesGlob(glob.toLowerCase(), fullName.toLowerCase());
}

/** Whether a glob may match more than one repository. */
export function isRepositoryGlob(glob: string): boolean {
  return /[*?+[]/.test(glob);
}

function ruleMatches(rule: ProjectRule, fullName: string): boolean {
  return repositoryMatches(rule.repositories, fullName);
}

/**
 * The projects of a repository (SPEC 1): those of the first rule that matches it, else
 * CODEBUILD_PROJECT alone, else none.
 */
export function repositoryProjects(rules: readonly ProjectRule[], defaultProject: string | undefined, fullName: string): RepositoryProjects {
  const rule = rules.find((r) => ruleMatches(r, fullName));
  if (rule) return { projects: rule.projects, rule };
  return { projects: defaultProject === undefined ? [] : [defaultProject] };
}

/**
 * Names that exercise every character a GitHub account or repository name may hold; a glob that
 * matches them all is taken to map every repository (the CodeBuild runner then needs no CODEBUILD_PROJECT).
 */
const PROBE_NAMES = ["a/b", "Octo-Org/.github", "x9/a.b_c-d", "user-1/Z", "ACME/web.site", "a-b-c/_private.repo-2", "0-org/-9", "9/_"];

/** Whether some rule maps every repository, so that none falls through to CODEBUILD_PROJECT. */
export function mapsEveryRepository(rules: readonly ProjectRule[]): boolean {
  return rules.some((rule) => PROBE_NAMES.every((name) => ruleMatches(rule, name)));
}
