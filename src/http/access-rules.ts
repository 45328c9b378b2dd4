/** A user's permission on a repository, as GitHub's collaborator permission endpoint reports it. */
export type GitHubPermission = "admin" | "write" | "read" | "none";

/** What a route needs of the caller. */
export type AccessNeed = "read" | "write";

/** SPEC 7: 404 reveals nothing (not installed and cannot read look the same); 403 only for readers. */
export type AccessDecision = "allowed" | "not_found" | "forbidden";

/** What the app learned about a repository it is installed on and a user. */
export interface AccessFacts {
  repository: { private: boolean };
  permission: GitHubPermission;
}

/**
 * GitHub reports `maintain` as write and `triage` as read in `permission`; anything it may add
 * later counts as no permission, so an unknown answer never grants access.
 */
export function parsePermission(reported: string): GitHubPermission {
  switch (reported) {
    case "admin":
      return "admin";
    case "maintain":
    case "write":
      return "write";
    case "triage":
    case "read":
      return "read";
    default:
      return "none";
  }
}

/** Whether a user may use a route on a repository; `undefined` facts = the app is not installed there. */
export function decideAccess(facts: AccessFacts | undefined, need: AccessNeed): AccessDecision {
  if (!facts) return "not_found";
  const canWrite = facts.permission === "admin" || facts.permission === "write";
  // Anyone can read a public repository, collaborator or not.
  const canRead = canWrite || facts.permission === "read" || !facts.repository.private;
  if (!canRead) return "not_found";
  return need === "write" && !canWrite ? "forbidden" : "allowed";
}
