import nock from "nock";
import { ProbotOctokit } from "probot";
import { COMMENT_CLAIM_MS, GitHubDeploymentComments } from "../../src/adapters/github/deployment-comments.js";
import { GitHubWriteBudgets } from "../../src/ports/write-budget.js";
import { MemoryDeploymentThreadStore } from "../../src/adapters/memory/deployment-threads.js";
import type { Clock } from "../../src/domain/clock.js";
import { DEPLOYMENT_COMMENT_MARKER } from "../../src/deployments/comment.js";
import { withEntry, type DeploymentThread, type ThreadEntry } from "../../src/deployments/thread.js";
import { freePort } from "../../src/demo/free-port.js";
import { createMasker } from "../../src/variables/masking.js";
import { FakeGitHub } from "../support/fake-github.js";

const target = { installationId: 7, owner: "octo", repo: "site" };
const key = { repositoryId: 42, pullRequest: 5 };
const entry = (n: number, more: Partial<ThreadEntry> = {}): ThreadEntry => ({
  deploymentId: `d${n}`,
  githubDeploymentId: 100 + n,
  sha: n.toString(16).padStart(40, "a"),
  state: "queued",
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  ...more,
});

let github: FakeGitHub;
let now = 1_700_000_000_000;
const clock: Clock = {
  now: () => now,
  setTimer: (ms, wake) => {
    const timer = setTimeout(wake, ms);
    return () => clearTimeout(timer);
  },
};

beforeEach(async () => {
  github = new FakeGitHub(await freePort());
  nock.disableNetConnect();
  github.install();
});

afterEach(() => {
  github.uninstall();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(github.invalidRequests).toEqual([]);
});

function writer(threads: MemoryDeploymentThreadStore): GitHubDeploymentComments {
  const octokit = new ProbotOctokit({ auth: { token: "test" }, baseUrl: `${github.origin}/api/v3`, retry: { enabled: false }, throttle: { enabled: false } });
  return new GitHubDeploymentComments({
    github: async () => octokit,
    writes: new GitHubWriteBudgets({ perMinute: 60_000 }),
    threads,
    appId: 1,
    context: { logUrl: (id) => `https://ci.example.com/builds/${id}` },
    clock,
  });
}

const add = (e: ThreadEntry) => (thread: DeploymentThread) => withEntry(thread, e);
const live = () => github.comments.filter((c) => !github.deletedComments.includes(c.id));

describe("GitHubDeploymentComments", () => {
  test("the first update creates the comment; later ones edit it; the body is masked", async () => {
    const comments = writer(new MemoryDeploymentThreadStore());
    const masker = createMasker(["s3cr3t-value"]);
    await (
      await comments.update(target, key, add(entry(1)), masker, "progress")
    ).written;
    await (
      await comments.update(target, key, add(entry(1, { state: "success", url: "https://x.example/?t=s3cr3t-value" as never })), masker, "completion")
    ).written;
    expect(live()).toHaveLength(1);
    const [comment] = live();
    expect(comment!.issueNumber).toBe(5);
    expect(comment!.bodies).toHaveLength(2);
    expect(comment!.body.startsWith(DEPLOYMENT_COMMENT_MARKER)).toBe(true);
    expect(comment!.body).toContain("✅ Ready");
    expect(comment!.body).not.toContain("s3cr3t-value");
  });

  test("two replicas reporting at once make one comment, which ends showing both changes", async () => {
    const threads = new MemoryDeploymentThreadStore();
    const [a, b] = [writer(threads), writer(threads)];
    const masker = createMasker();
    const updates = await Promise.all([a.update(target, key, add(entry(1)), masker, "progress"), b.update(target, key, add(entry(2)), masker, "progress")]);
    await Promise.all(updates.map((u) => u.written));
    expect(live()).toHaveLength(1);
    expect(live()[0]!.body).toContain("Earlier commits (1)");
  });

  test("after a writer died between creating the comment and recording it, the comment is found by its marker, never made twice", async () => {
    const threads = new MemoryDeploymentThreadStore();
    // What the dead writer left: its claim in the thread, and the comment it made.
    await threads.put({ ...withEntry({ ...key, entries: [], version: 0 }, entry(1)), commentClaim: { by: "dead", at: now } }, 0);
    const made = { id: github.newId(), issueNumber: 5, body: `${DEPLOYMENT_COMMENT_MARKER}\nold`, appId: 1, login: "codebuild-checks[bot]", bodies: [] };
    github.comments.push(made);
    // Someone else's comment that copies the marker is never taken for the app's.
    github.comments.push({ id: github.newId(), issueNumber: 5, body: `${DEPLOYMENT_COMMENT_MARKER}\nforged`, login: "mallory", bodies: [] });
    const comments = writer(threads);
    // While the claim is fresh, its writer is left to make the comment.
    await (
      await comments.update(target, key, add(entry(2)), createMasker(), "progress")
    ).written;
    expect(made.body).toContain("old");
    now += COMMENT_CLAIM_MS;
    await (
      await comments.update(target, key, add(entry(2, { state: "in_progress" })), createMasker(), "progress")
    ).written;
    expect(made.body).toContain("🔨 Building");
    expect(github.comments.filter((c) => c.appId === 1)).toHaveLength(1);
    expect((await threads.get(key))!.commentId).toBe(made.id);
    expect(github.requests.filter((r) => r.method === "GET" && r.path.includes("/issues/5/comments"))).toHaveLength(1);
  });

  test("a comment someone deleted is made again", async () => {
    const comments = writer(new MemoryDeploymentThreadStore());
    await (
      await comments.update(target, key, add(entry(1)), createMasker(), "progress")
    ).written;
    github.deletedComments.push(live()[0]!.id);
    await (
      await comments.update(target, key, add(entry(1, { state: "failure" })), createMasker(), "completion")
    ).written;
    expect(live()).toHaveLength(1);
    expect(live()[0]!.body).toContain("❌ Failed");
  });
});
