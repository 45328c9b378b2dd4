import { isRepositoryGlob, mapsEveryRepository, type ProjectRule } from "./project-map.js";

/** Who shares a domain: a rule's repositories, or every repository no rule maps (served by CODEBUILD_PROJECT). */
interface Member {
  /** The rule's glob; undefined for the repositories no rule maps. */
  glob?: string;
  projects: string[];
  /** May stand for more than one repository. */
  many: boolean;
}

const UNMAPPED = "every repository CODEBUILD_PROJECTS does not map";

/**
 * One line for each trust domain that more than one repository may share (SPEC 3, Trust domains).
 * A build reads the secrets its project's role may read, and a repository may build in any project
 * of its rule: so rules that have a project in common are one domain.
 */
export function sharedTrustDomains(rules: readonly ProjectRule[], defaultProject: string | undefined): string[] {
  if (rules.length === 0) {
    return defaultProject === undefined
      ? []
      : [
          `all repositories share one trust domain, that of project ${defaultProject}: each can read the others' secrets (CODEBUILD_PROJECTS maps repositories to projects of their own)`,
        ];
  }
  const members: Member[] = rules.map((rule) => ({
    glob: rule.repositories,
    projects: rule.projects,
    many: isRepositoryGlob(rule.repositories),
  }));
  if (defaultProject !== undefined && !mapsEveryRepository(rules)) members.push({ projects: [defaultProject], many: true });
  return domainsOf(members)
    .filter((domain) => domain.length > 1 || domain[0]!.many)
    .map((domain) => {
      const names = [...new Set(domain.map((m) => m.projects[0]!))];
      const of = names.length === 1 ? `project ${names[0]}` : `projects ${names.join(", ")}`;
      return `${subjectOf(domain)} the trust domain of ${of}: each can read the others' secrets`;
    });
}

function subjectOf(domain: Member[]): string {
  const globs = domain.flatMap((m) => (m.glob === undefined ? [] : [m.glob]));
  if (globs.length === 0) return `${UNMAPPED} shares`;
  const unmapped = globs.length < domain.length ? ` and ${UNMAPPED}` : "";
  return `repositories ${globs.join(", ")}${unmapped} share`;
}

/** Members grouped so that two members with a project in common are in one group, in the order first seen. */
function domainsOf(members: Member[]): Member[][] {
  const domains: Member[][] = [];
  for (const member of members) {
    const joined = domains.filter((domain) => domain.some((m) => m.projects.some((p) => member.projects.includes(p))));
    const merged = [...joined.flat(), member];
    for (const domain of joined) domains.splice(domains.indexOf(domain), 1);
    domains.push(merged);
  }
  return domains;
}
