import { decideAccess, parsePermission, type AccessNeed, type GitHubPermission } from "../../src/http/access-rules.js";

describe("decideAccess (SPEC 7)", () => {
  test.each<[string, boolean, GitHubPermission, AccessNeed, string]>([
    ["private, admin, write route", true, "admin", "write", "allowed"],
    ["private, write, write route", true, "write", "write", "allowed"],
    ["private, write, read route", true, "write", "read", "allowed"],
    ["private, read, read route", true, "read", "read", "allowed"],
    ["private, read, write route", true, "read", "write", "forbidden"],
    ["private, none, read route", true, "none", "read", "not_found"],
    ["private, none, write route (no 403 that would reveal the repository)", true, "none", "write", "not_found"],
    ["public, none, read route", false, "none", "read", "allowed"],
    ["public, none, write route", false, "none", "write", "forbidden"],
    ["public, read, write route", false, "read", "write", "forbidden"],
    ["public, admin, write route", false, "admin", "write", "allowed"],
  ])("%s → %s", (_what, isPrivate, permission, need, decision) => {
    expect(decideAccess({ repository: { private: isPrivate }, permission }, need)).toBe(decision);
  });

  test.each<AccessNeed>(["read", "write"])("not installed is not found for %s routes", (need) => {
    expect(decideAccess(undefined, need)).toBe("not_found");
  });
});

describe("parsePermission", () => {
  test.each([
    ["admin", "admin"],
    ["maintain", "write"],
    ["write", "write"],
    ["triage", "read"],
    ["read", "read"],
    ["none", "none"],
    ["owner", "none"],
    ["", "none"],
  ])("%j → %s", (reported, permission) => {
    expect(parsePermission(reported)).toBe(permission);
  });
});
