import type { GitHubPermission } from "../../src/http/access-rules.js";
import { decideBuildAccess, type BuildAction, type BuildAccessDecision } from "../../src/http/build-access.js";

type Build = "unknown" | "public running" | "public finished" | "private running" | "private finished";

const BUILDS: Record<Build, { private: boolean; running: boolean } | undefined> = {
  unknown: undefined,
  "public running": { private: false, running: true },
  "public finished": { private: false, running: false },
  "private running": { private: true, running: true },
  "private finished": { private: true, running: false },
};

/** `signed in` false = no session (or no token GitHub confirms); permission undefined = not asked, or the app no longer serves the repository. */
describe("decideBuildAccess (SPEC 7)", () => {
  test.each<[Build, BuildAction, boolean, boolean, GitHubPermission | undefined, BuildAccessDecision]>([
    // build, action, sign-in configured, signed in, permission → decision
    ["unknown", "read", true, true, "admin", "not_found"],
    ["unknown", "read", false, false, undefined, "not_found"],
    ["unknown", "cancel", true, true, "admin", "not_found"],
    ["public running", "read", true, false, undefined, "allowed"],
    ["public running", "read", false, false, undefined, "allowed"],
    ["public finished", "read", true, true, "none", "allowed"],
    ["public running", "read", true, true, undefined, "allowed"],
    ["private running", "read", false, false, undefined, "sign_in_not_configured"],
    ["private running", "read", true, false, undefined, "sign_in"],
    ["private running", "read", true, true, "read", "allowed"],
    ["private finished", "read", true, true, "write", "allowed"],
    ["private running", "read", true, true, "admin", "allowed"],
    ["private running", "read", true, true, "none", "not_found"],
    ["private running", "read", true, true, undefined, "not_found"],
    ["public running", "cancel", false, false, undefined, "sign_in_not_configured"],
    ["public running", "cancel", true, false, undefined, "sign_in"],
    ["public running", "cancel", true, true, "none", "forbidden"],
    ["public running", "cancel", true, true, "read", "forbidden"],
    ["public running", "cancel", true, true, "write", "allowed"],
    ["public running", "cancel", true, true, undefined, "not_found"],
    ["public finished", "cancel", true, true, "write", "not_running"],
    ["public finished", "cancel", true, true, "read", "forbidden"],
    ["private running", "cancel", true, false, undefined, "sign_in"],
    ["private running", "cancel", true, true, "none", "not_found"],
    ["private running", "cancel", true, true, "read", "forbidden"],
    ["private running", "cancel", true, true, "write", "allowed"],
    ["private running", "cancel", true, true, "admin", "allowed"],
    ["private finished", "cancel", true, true, "admin", "not_running"],
    ["private finished", "cancel", true, true, "none", "not_found"],
  ])("%s, %s, sign-in configured %s, signed in %s, permission %s → %s", (build, action, signInConfigured, signedIn, permission, decision) => {
    expect(decideBuildAccess({ build: BUILDS[build], signInConfigured, signedIn, permission }, action)).toBe(decision);
  });
});
