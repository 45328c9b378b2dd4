import type { ProbotOctokit } from "probot";
import type { RepositoryRef } from "../../domain/trigger.js";

export type Permission = "admin" | "write" | "read" | "none";

/** A user's permission on a repository; GitHub reports maintain as write and triage as read. */
export async function userPermission(octokit: ProbotOctokit, repository: RepositoryRef, username: string): Promise<Permission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: repository.owner, repo: repository.name, username });
    return data.permission as Permission;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return "none";
    throw error;
  }
}

export function canWrite(permission: Permission): boolean {
  return permission === "admin" || permission === "write";
}
