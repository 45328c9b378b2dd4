import { mergeGroupTrigger, pullRequestTrigger, pushTrigger } from "../../src/intake/payloads.js";
import { examplePayload } from "../support/webhooks.js";

const withInstallation = <T extends Record<string, unknown>>(p: T) => ({ ...p, installation: { id: 9 } });

describe("webhook payloads become typed triggers", () => {
  test("push: ref, sha, commit message and changed files", () => {
    const payload = withInstallation(examplePayload("push", (p) => String(p.ref).startsWith("refs/heads/")));
    payload.created = false;
    payload.commits = [{ ...payload.head_commit, added: ["a.ts"], modified: ["b.ts"], removed: ["c.ts"] }];
    const result = pushTrigger("d1", payload);
    if (!result.ok) throw new Error(result.issues);
    expect(result.trigger).toMatchObject({
      kind: "push",
      deliveryId: "d1",
      installationId: 9,
      ref: payload.ref,
      after: payload.after,
      deleted: false,
      changedFiles: ["a.ts", "b.ts", "c.ts"],
      repository: { id: payload.repository.id, owner: payload.repository.owner.login, fullName: payload.repository.full_name },
    });
  });

  test("push creating a branch or listing 20 commits leaves changed files unknown", () => {
    const created = withInstallation(examplePayload("push"));
    created.created = true;
    expect(pushTrigger("d", created)).toMatchObject({ ok: true, trigger: { changedFiles: null } });
    const many = withInstallation(examplePayload("push"));
    many.created = false;
    many.commits = Array.from({ length: 20 }, () => ({ message: "m", added: [], removed: [], modified: ["x"] }));
    expect(pushTrigger("d", many)).toMatchObject({ ok: true, trigger: { changedFiles: null } });
  });

  test("pull request from the same repository and from a fork", () => {
    const payload = withInstallation(examplePayload("pull_request", (p) => p.action === "opened"));
    const same = pullRequestTrigger("d", payload);
    expect(same).toMatchObject({ ok: true, trigger: { kind: "pull_request", action: "opened", fromFork: false, number: payload.number } });
    payload.pull_request.head.repo = { ...payload.pull_request.head.repo, id: 999 };
    expect(pullRequestTrigger("d", payload)).toMatchObject({ ok: true, trigger: { fromFork: true } });
    payload.pull_request.head.repo = null;
    expect(pullRequestTrigger("d", payload)).toMatchObject({ ok: true, trigger: { fromFork: true } });
  });

  test("merge group", () => {
    const payload = withInstallation(examplePayload("merge_group"));
    expect(mergeGroupTrigger("d", payload)).toMatchObject({
      ok: true,
      trigger: { kind: "merge_group", headSha: payload.merge_group.head_sha, baseRef: "refs/heads/main" },
    });
  });

  test.each([
    ["no installation", (p: Record<string, any>) => delete p.installation, /installation/],
    ["no repository id", (p: Record<string, any>) => delete p.repository.id, /repository\.id/],
    ["a ref that is not a string", (p: Record<string, any>) => (p.ref = 5), /ref/],
  ])("a payload with %s is refused with the field named", (_, mutate, issue) => {
    const payload = withInstallation(examplePayload("push"));
    mutate(payload);
    const result = pushTrigger("d", payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toMatch(issue);
  });
});
