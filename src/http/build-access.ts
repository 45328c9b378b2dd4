import { decideAccess, type GitHubPermission } from "./access-rules.js";

/** What a visitor wants to do with a build: read its page and log, or stop it. */
export type BuildAction = "read" | "cancel";

/** What the app knows when a visitor asks for a build. */
export interface BuildAccessFacts {
  /** Undefined: there is no such build. */
  build: { private: boolean; running: boolean } | undefined;
  /** GITHUB_CLIENT_ID/SECRET are set, so visitors can sign in. */
  signInConfigured: boolean;
  /** A visitor with a valid session (or, on the API, a token GitHub confirmed). */
  signedIn: boolean;
  /**
   * The visitor's permission on the build's repository, through the installation; undefined
   * when not asked, or when the app no longer serves that repository.
   */
  permission: GitHubPermission | undefined;
}

/**
 * `sign_in`: the page sends the visitor to sign in, the API answers 401; `not_found` is the same
 * answer as for an unknown build, so nothing is revealed; `not_running`: nothing left to cancel.
 */
export type BuildAccessDecision = "allowed" | "not_found" | "sign_in" | "sign_in_not_configured" | "forbidden" | "not_running";

/**
 * SPEC 7: a public repository's builds are anyone's to read, as on GitHub Actions; a private
 * one's need a signed-in user who can read the repository. Cancelling needs write, always.
 */
export function decideBuildAccess(facts: BuildAccessFacts, action: BuildAction): BuildAccessDecision {
  const { build } = facts;
  if (!build) return "not_found";
  if (action === "read" && !build.private) return "allowed";
  if (!facts.signInConfigured) return "sign_in_not_configured";
  if (!facts.signedIn) return "sign_in";
  const repository = facts.permission === undefined ? undefined : { repository: { private: build.private }, permission: facts.permission };
  const decision = decideAccess(repository, action === "cancel" ? "write" : "read");
  if (decision !== "allowed") return decision;
  return action === "cancel" && !build.running ? "not_running" : "allowed";
}
