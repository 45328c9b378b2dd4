import { checkRunRerunIntent, checkSuiteRerunIntent } from "../../src/intake/payloads.js";
import { examplePayload } from "../support/webhooks.js";

const checkRun = () =>
  Object.assign(
    examplePayload("check_run", (p) => p.action === "rerequested"),
    { installation: { id: 9 } },
  );
const checkSuite = () =>
  Object.assign(
    examplePayload("check_suite", (p) => p.action === "rerequested"),
    { installation: { id: 9 } },
  );

describe("re-run requests become rerun intents", () => {
  test("check_run.rerequested: the run's external_id, commit and app", () => {
    const payload = checkRun();
    payload.check_run.external_id = "0123456789abcdef0123456789abcdef";
    expect(checkRunRerunIntent("d1", payload)).toEqual({
      ok: true,
      trigger: {
        kind: "rerun",
        deliveryId: "d1",
        installationId: 9,
        repository: {
          id: payload.repository.id,
          owner: payload.repository.owner.login,
          name: payload.repository.name,
          fullName: payload.repository.full_name,
          defaultBranch: payload.repository.default_branch,
          private: payload.repository.private,
          cloneUrl: payload.repository.clone_url,
        },
        sender: { login: payload.sender.login, id: payload.sender.id, type: payload.sender.type },
        headSha: payload.check_run.head_sha,
        appId: payload.check_run.app.id,
        externalIds: ["0123456789abcdef0123456789abcdef"],
      },
    });
  });

  test("check_suite.rerequested: the suite, its commit and app; its pull requests are not read (a fork's has none)", () => {
    const payload = checkSuite();
    payload.check_suite.pull_requests = [];
    const result = checkSuiteRerunIntent("d2", payload);
    expect(result).toMatchObject({
      ok: true,
      trigger: {
        kind: "rerun",
        deliveryId: "d2",
        installationId: 9,
        headSha: payload.check_suite.head_sha,
        appId: payload.check_suite.app.id,
        checkSuiteId: payload.check_suite.id,
      },
    });
    expect(result.ok && result.trigger).not.toHaveProperty("externalIds");
  });

  test.each<[string, (p: Record<string, any>) => void]>([
    ["an empty external_id", (p) => (p.check_run.external_id = "")],
    ["no external_id", (p) => (p.check_run.external_id = null)],
    ["no app", (p) => Object.assign(p.check_run, { external_id: "abc", app: null })],
  ])("a check run with %s is none of this app's: nothing to do", (_, change) => {
    const payload = checkRun();
    change(payload);
    expect(checkRunRerunIntent("d", payload)).toEqual({ ok: true, trigger: null });
  });

  test("a suite without an app: nothing to do", () => {
    const payload = checkSuite();
    payload.check_suite.app = null;
    expect(checkSuiteRerunIntent("d", payload)).toEqual({ ok: true, trigger: null });
  });

  test.each<[string, () => unknown, (d: string, p: unknown) => unknown]>([
    ["check_run without installation", () => ({ ...checkRun(), installation: undefined }), checkRunRerunIntent],
    ["check_run of another action", () => ({ ...checkRun(), action: "completed" }), checkRunRerunIntent],
    [
      "check_suite without its id",
      () => {
        const p = checkSuite();
        delete p.check_suite.id;
        return p;
      },
      checkSuiteRerunIntent,
    ],
  ])("%s is refused with zod's issues", (_, payload, parse) => {
    expect(parse("d", payload())).toMatchObject({ ok: false, issues: expect.any(String) });
  });
});
