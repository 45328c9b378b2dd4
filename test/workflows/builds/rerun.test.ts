import nock from "nock";
import { useStrictNock } from "../../support/nock-strict.js";
import pino from "pino";
import { ProbotOctokit } from "probot";
import { MemoryBuildRecordStore } from "../../../src/adapters/memory/records.js";
import { rerunTrigger, type RerunIntent } from "../../../src/builds/rerun-intent.js";
import { processRerun } from "../../../src/workflows/builds/rerun.js";
import type { PullRequestTrigger, Trigger } from "../../../src/domain/trigger.js";
import { buildRecord, pullRequestRecord, repository, SHA } from "../../support/build-records.js";

const API = "https://api.github.com";
const APP_ID = 1;
const WRITER = { login: "maintainer", id: 77, type: "User" };

const pushTrigger = buildRecord().trigger;
const prTrigger = pullRequestRecord().trigger as PullRequestTrigger;
const mergeGroupTrigger: Trigger = {
  kind: "merge_group",
  deliveryId: "delivery-3",
  installationId: 11,
  repository: repository(),
  sender: { login: "octocat", id: 1, type: "User" },
  headSha: SHA,
  headRef: "refs/heads/gh-readonly-queue/main/pr-42-abc",
  baseRef: "refs/heads/main",
};

function intent(overrides: Partial<RerunIntent> = {}): RerunIntent {
  return {
    kind: "rerun",
    deliveryId: "rerun-delivery",
    installationId: 12,
    repository: repository({ name: "site-renamed" }),
    sender: WRITER,
    headSha: SHA,
    appId: APP_ID,
    externalIds: ["deployment-a"],
    ...overrides,
  };
}

describe("the trigger of a re-run", () => {
  const asked = intent();
  const fresh = { deliveryId: "rerun-delivery:deployment-a", installationId: 12, repository: asked.repository, sender: WRITER };

  test.each<[string, Trigger, Trigger]>([
    ["a push: the same push, asked for again", pushTrigger, { ...pushTrigger, ...fresh }],
    ["a merge group: the same group", mergeGroupTrigger, { ...mergeGroupTrigger, ...fresh }],
    ["a pull request: built as on a new push to it", { ...prTrigger, action: "opened" }, { ...prTrigger, ...fresh, action: "synchronize" }],
    ["a reopened pull request", { ...prTrigger, action: "reopened" }, { ...prTrigger, ...fresh, action: "synchronize" }],
    [
      "a fork's pull request that waited for approval: still no approval",
      { ...prTrigger, fromFork: true },
      { ...prTrigger, ...fresh, fromFork: true, action: "synchronize" },
    ],
    [
      "a fork's pull request approved with /build <sha>: the approval of this commit stays",
      { ...prTrigger, fromFork: true, approvedSha: SHA },
      { ...prTrigger, ...fresh, fromFork: true, approvedSha: SHA, action: "synchronize" },
    ],
  ])("%s", (_, recorded, expected) => {
    expect(rerunTrigger(recorded, asked, "deployment-a")).toEqual(expected);
  });

  test("each run of one request gets a delivery id of its own, the same on a redelivery", () => {
    const a = rerunTrigger(pushTrigger, asked, "deployment-a").deliveryId;
    expect(rerunTrigger(pushTrigger, asked, "deployment-b").deliveryId).not.toBe(a);
    expect(rerunTrigger(pushTrigger, intent(), "deployment-a").deliveryId).toBe(a);
  });
});

function octokit() {
  return new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
}

/** The re-runner's permission, as GitHub answers it (404: not a collaborator). */
function permissionOf(login: string, answer: string | 404) {
  const scope = nock(API).get(`/repos/octo/site-renamed/collaborators/${login}/permission`);
  return answer === 404 ? scope.reply(404, { message: "Not Found" }) : scope.reply(200, { permission: answer, user: { login } });
}

interface Harness {
  records: MemoryBuildRecordStore;
  processed: Trigger[];
  run(asked: RerunIntent): Promise<void>;
}

async function harness(recorded: Record<string, Trigger> = {}): Promise<Harness> {
  const records = new MemoryBuildRecordStore();
  for (const [id, trigger] of Object.entries(recorded)) await records.rememberTrigger(id, trigger);
  const processed: Trigger[] = [];
  const deps = {
    records,
    log: pino({ level: "silent" }),
    github: async () => octokit(),
    processTrigger: async (trigger: Trigger) => void processed.push(trigger),
  };
  return { records, processed, run: (asked) => processRerun(asked, deps, APP_ID) };
}

useStrictNock();

describe("processing a re-run", () => {
  test.each<[string, string | 404]>([
    ["write", "write"],
    ["admin", "admin"],
  ])("a user with %s access: the recorded trigger is processed again", async (_, permission) => {
    const h = await harness({ "deployment-a": pushTrigger });
    permissionOf(WRITER.login, permission);
    await h.run(intent());
    expect(h.processed).toEqual([rerunTrigger(pushTrigger, intent(), "deployment-a")]);
  });

  test("a build's own record is found too, not only a remembered trigger", async () => {
    const h = await harness();
    await h.records.put(pullRequestRecord({ deploymentId: "deployment-a" }));
    permissionOf(WRITER.login, "write");
    await h.run(intent());
    expect(h.processed).toMatchObject([{ kind: "pull_request", action: "synchronize", number: 42, deliveryId: "rerun-delivery:deployment-a" }]);
  });

  test.each<[string, string | 404]>([
    ["read access", "read"],
    ["no access", "none"],
    ["no collaborator at all", 404],
  ])("a user with %s: nothing is re-run", async (_, permission) => {
    const h = await harness({ "deployment-a": pushTrigger });
    permissionOf(WRITER.login, permission);
    await h.run(intent());
    expect(h.processed).toEqual([]);
  });

  test("another app's run: nothing, and GitHub is not asked", async () => {
    const h = await harness({ "deployment-a": pushTrigger });
    await h.run(intent({ appId: 999 }));
    expect(h.processed).toEqual([]);
  });

  test("a run the app has no record of is skipped; the others still re-run", async () => {
    const h = await harness({ "deployment-b": pushTrigger });
    permissionOf(WRITER.login, "write");
    await h.run(intent({ externalIds: ["deployment-a", "deployment-b"] }));
    expect(h.processed.map((t) => t.deliveryId)).toEqual(["rerun-delivery:deployment-b"]);
  });

  test("a record of another repository is never built for this one", async () => {
    const h = await harness({ "deployment-a": { ...pushTrigger, repository: repository({ id: 555, name: "elsewhere" }) } });
    permissionOf(WRITER.login, "write");
    await h.run(intent());
    expect(h.processed).toEqual([]);
  });

  test("check_suite: this app's latest runs of the suite, each once, across pages", async () => {
    const h = await harness({ "deployment-a": pushTrigger, "deployment-b": prTrigger });
    permissionOf(WRITER.login, "write");
    const page = (runs: { external_id: string | null; app: { id: number } | null }[]) => ({
      total_count: 4,
      check_runs: runs.map((run, i) => ({ id: i + 1, head_sha: SHA, ...run })),
    });
    nock(API)
      .get("/repos/octo/site-renamed/check-suites/5/check-runs")
      .query({ filter: "latest", per_page: "100" })
      .reply(
        200,
        page([
          { external_id: "deployment-a", app: { id: APP_ID } },
          { external_id: "theirs", app: { id: 2 } },
        ]),
        {
          link: `<${API}/repositories/102/check-suites/5/check-runs?filter=latest&per_page=100&page=2>; rel="next"`,
        },
      )
      .get("/repositories/102/check-suites/5/check-runs")
      .query({ filter: "latest", per_page: "100", page: "2" })
      .reply(
        200,
        page([
          { external_id: "deployment-b", app: { id: APP_ID } },
          { external_id: null, app: { id: APP_ID } },
          { external_id: "deployment-a", app: { id: APP_ID } },
        ]),
      );
    await h.run(intent({ externalIds: undefined, checkSuiteId: 5 }));
    expect(h.processed.map((t) => [t.kind, t.deliveryId])).toEqual([
      ["push", "rerun-delivery:deployment-a"],
      ["pull_request", "rerun-delivery:deployment-b"],
    ]);
  });

  test("check_suite asked for by a reader: the suite is not even listed", async () => {
    const h = await harness({ "deployment-a": pushTrigger });
    permissionOf(WRITER.login, "read");
    await h.run(intent({ externalIds: undefined, checkSuiteId: 5 }));
    expect(h.processed).toEqual([]);
  });
});
