import type { BuildPlan } from "../domain/trigger.js";

/** Stands for the build's project in CODEBUILD_PREVIEW_ROLE and CODEBUILD_UNTRUSTED_ROLE (SPEC 1). */
export const PROJECT_PLACEHOLDER = "{project}";

export interface BuildRoles {
  /** CODEBUILD_PREVIEW_ROLE: trusted builds of the preview environment. */
  previewRole?: string;
  /** CODEBUILD_UNTRUSTED_ROLE: builds of untrusted code. */
  untrustedRole?: string;
}

/**
 * The `serviceRoleOverride` of a build (SPEC 3): untrusted code gets the untrusted role, trusted
 * preview builds the preview role (which cannot read production secrets), production builds
 * none — they run with the project's own role.
 */
export function serviceRoleFor(plan: Pick<BuildPlan, "trusted" | "environment">, project: string, roles: BuildRoles): string | undefined {
  const role = !plan.trusted ? roles.untrustedRole : plan.environment === "preview" ? roles.previewRole : undefined;
  return role?.replaceAll(PROJECT_PLACEHOLDER, project);
}
