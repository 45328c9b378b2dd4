import { createMasker } from "../../src/variables/masking.js";
import type { BuildRecord } from "../../src/ports/build-records.js";
import { buildFactsView, buildStateView } from "../../src/http/build-view.js";
import { renderLogPage } from "../../src/http/log-page.js";
import { buildRecord, completed, repository, runningSnapshot } from "../support/build-records.js";

const NOW = new Date("2024-05-01T12:01:00Z");

describe("buildStateView: the badge", () => {
  const queued = runningSnapshot({
    currentPhase: "QUEUED",
    phases: [
      { name: "SUBMITTED", status: "SUCCEEDED", messages: [] },
      { name: "QUEUED", messages: [] },
    ],
  });
  test.each<[string, BuildRecord, string, string, string]>([
    ["recorded, CodeBuild not asked yet", buildRecord({ snapshot: undefined, buildId: undefined }), "Queued", "queued", "Queued"],
    ["in CodeBuild's queue", buildRecord({ snapshot: queued }), "Queued", "queued", "Queued"],
    ["building", buildRecord(), "In progress", "running", "Building — BUILD phase"],
    ["succeeded", completed(buildRecord()), "Succeeded", "success", "Build succeeded in 2m 41s"],
    ["failed", completed(buildRecord(), "FAILED"), "Failed", "failure", "Build failed in BUILD after 2m 41s"],
    ["CodeBuild fault", completed(buildRecord(), "FAULT"), "Failed", "failure", "Build failed in BUILD after 2m 41s (CodeBuild fault)"],
    ["timed out", completed(buildRecord(), "TIMED_OUT"), "Timed out", "failure", "Build timed out after 2m 41s"],
    ["cancelled", completed(buildRecord(), "STOPPED"), "Cancelled", "cancelled", "Build cancelled after 2m 41s"],
    [
      "could not start",
      buildRecord({ snapshot: undefined, buildId: undefined, status: "FAILED", completed: true }),
      "Failed",
      "failure",
      "Build failed to start",
    ],
  ])("%s → %s (%s), titled %j", (_what, record, label, tone, title) => {
    const view = buildStateView(record, NOW);
    expect(view.badge).toEqual({ label, tone });
    expect(view.title).toBe(title);
  });

  test("phases in words with durations; CodeBuild's COMPLETED marker left out; running phases so far", () => {
    const record = completed(buildRecord(), "FAILED");
    record.snapshot!.phases.push({ name: "COMPLETED", messages: [] });
    record.snapshot!.phases.push({ name: "UPLOAD_ARTIFACTS", status: "CLIENT_ERROR", durationSeconds: 0, messages: [createMasker().mask("secret in here")] });
    expect(buildStateView(record, NOW).phases.slice(3)).toEqual([
      { name: "BUILD", status: "failed", tone: "failure", duration: "2m 1s" },
      { name: "UPLOAD_ARTIFACTS", status: "client error", tone: "failure", duration: "0s" },
    ]);
    expect(JSON.stringify(buildStateView(record, NOW))).not.toContain("secret in here");
  });
});

describe("buildStateView: where the build deployed", () => {
  const url = createMasker(["tok-secret"]).mask("https://pr-7.example.com/?t=tok-secret");
  const deployed = (status: BuildRecord["status"]) => {
    const record = completed(buildRecord(), status);
    return { ...record, snapshot: { ...record.snapshot!, deployUrl: { url, masked: true } } };
  };

  test("a build that succeeded shows its DEPLOY_URL, masked as it was kept", () => {
    expect(buildStateView(deployed("SUCCEEDED"), NOW).deployUrl).toBe("https://pr-7.example.com/?t=***");
  });

  test("a build that failed, or one without an address, shows none", () => {
    expect(buildStateView(deployed("FAILED"), NOW).deployUrl).toBeUndefined();
    expect(buildStateView(completed(buildRecord()), NOW).deployUrl).toBeUndefined();
  });

  test("the log page links it, escaped, and never as script", () => {
    const page = renderLogPage({
      state: buildStateView(deployed("SUCCEEDED"), NOW),
      facts: buildFactsView(buildRecord(), "https://github.com"),
      log: { lines: [], nextToken: "", complete: true, more: false, s3Only: false },
      urls: { logs: "/l", state: "/s", cancel: "/c" },
      account: undefined,
      cancelToken: undefined,
      cancelRequested: false,
    });
    expect(page).toContain(
      '<dt>Deployed to</dt><dd><a id="deploy-url" href="https://pr-7.example.com/?t=***" rel="noreferrer nofollow">https://pr-7.example.com/?t=***</a></dd>',
    );
  });
});

describe("buildFactsView", () => {
  test("a push to a branch, a tag and a pull request, with links to GitHub", () => {
    const push = buildFactsView(buildRecord({ plan: { ...buildRecord().plan, branch: "release/1.x" } }), "https://github.example");
    expect(push.source).toEqual({ heading: "Branch", label: "release/1.x", url: "https://github.example/octo/site/tree/release/1.x" });
    expect(push.commit).toEqual({
      sha: "1095e7ab1095e7ab1095e7ab1095e7ab1095e7ab",
      short: "1095e7a",
      url: "https://github.example/octo/site/commit/1095e7ab1095e7ab1095e7ab1095e7ab1095e7ab",
    });
    expect(push).toMatchObject({ event: "Push", environment: "production", createdAt: "2024-05-01 12:00:00 UTC", checkName: "CodeBuild" });

    const base = buildRecord();
    const tag = buildFactsView(
      { ...base, trigger: { ...base.trigger, ref: "refs/tags/v1.0" } as BuildRecord["trigger"], plan: { ...base.plan, branch: "v1.0" } },
      "https://github.com",
    );
    expect(tag.source.heading).toBe("Tag");

    const pr = buildFactsView(
      buildRecord({ repository: repository({ private: true }), plan: { ...base.plan, branch: "fix#1", baseBranch: "main", pullRequestNumber: 7 } }),
      "https://github.com",
    );
    expect(pr.source).toEqual({ heading: "Pull request", label: "#7 fix#1 → main", url: "https://github.com/octo/site/pull/7" });
    expect(pr.repository).toEqual({ fullName: "octo/site", url: "https://github.com/octo/site", private: true });
    expect(buildFactsView(buildRecord({ plan: { ...base.plan, branch: "fix#1" } }), "https://github.com").source.url).toBe(
      "https://github.com/octo/site/tree/fix%231",
    );
  });
});
