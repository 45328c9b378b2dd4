import type { ConfigPolicy } from "../../config/load.js";
import type { Settings } from "../../settings.js";
import { repositoryMatches, repositoryProjects } from "../../builds/project-map.js";

export type PolicySettings = Pick<Settings, "codebuild" | "configExtendsAllowed">;

/** What the operator lets a repository's `.github/codebuild.yml` name and extend (SPEC 1). */
export function configPolicyFor(settings: PolicySettings, fullName: string): ConfigPolicy {
  return {
    projects: projectsOf(settings, fullName),
    extendsAllowed: (base) => settings.configExtendsAllowed.some((glob) => repositoryMatches(glob, base)),
  };
}

/**
 * The project whose roles may read a repository's secrets, which the secrets are tagged with: the
 * first project of the repository's rule, never the project its file picks (SPEC 3, Trust domains).
 */
export function secretDomainOf(settings: Pick<Settings, "codebuild">, fullName: string): string | undefined {
  return projectsOf(settings, fullName)[0];
}

function projectsOf({ codebuild }: Pick<Settings, "codebuild">, fullName: string): string[] {
  return repositoryProjects(codebuild.projectMap, codebuild.defaultProject, fullName).projects;
}
