import { routeTemplate } from "../../src/metrics/octokit.js";
import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET, type CodeBuildTestApp } from "../support/app.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

/*
 * GitHub requests per build, asserted in this one place (issue: a quiet build costs at most 5 at
 * the defaults: the check run created, set in progress and completed, one config read, and an
 * installation token, which Probot then keeps for the hour).
 */

const CONFIG = "GET /repos/{owner}/{repo}/contents/.github%2Fcodebuild.yml";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{id}";
const LOOKUP = "GET /repos/{owner}/{repo}/commits/{ref}/check-runs";
const TOKEN = "POST /app/installations/{id}/access_tokens";
/** The app's own requests (JWT): its owner, asked once per process (ALLOWED_OWNERS' default), and its webhook deliveries. */
const APP_LEVEL = /^(GET|POST) \/app(\/hook\/|$)/;

const sha = (n: number) => n.toString(16).padStart(40, "c");

/** Requests sent since `from` (an index into the fake's log), counted by route, without the app's own. */
function byRoute(site: CodeBuildTestApp, from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { method, path } of site.app.github.sent.slice(from)) {
    const route = `${method} ${routeTemplate(path, "").replace(/\/commits\/[^/]+\//, "/commits/{ref}/")}`;
    if (!APP_LEVEL.test(route)) counts[route] = (counts[route] ?? 0) + 1;
  }
  return counts;
}

/** Pushes `commit`, lets its build run and succeed, and returns when its check run has completed. */
async function quietBuild(site: CodeBuildTestApp, commit: string): Promise<void> {
  await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(commit));
  const run = await waitFor(() => site.app.github.runsFor(commit).find((r) => r.status === "in_progress"), "the run in progress");
  const build = await waitFor(() => [...site.codebuild.builds.values()].find((b) => b.sourceVersion?.includes(commit)), "the build");
  site.codebuild.endEarlier(build.id);
  await waitFor(() => run.status === "completed", "the completion");
  await site.app.running.app!.intake.drained();
}

describe("GitHub requests per build", () => {
  // The defaults but for the watcher's tick, so the run's few seconds are one progress update.
  const site = useCodeBuildTestApp({ CHECK_UPDATE_INTERVAL_MS: "10000" });
  const repo = pushPayload(sha(0)).repository.full_name as string;

  beforeEach(() => {
    // A quiet build: CodeBuild has it running by the watcher's first look.
    site.codebuild.startPhase = "BUILD";
  });

  test("a quiet push build: 5 (create, in progress, completion, one config read, the token); the next build of the installation: 4", async () => {
    site.app.github.file(repo, sha(1), ".github/codebuild.yml", "buildspec: builtin:node\n");
    site.app.github.file(repo, sha(2), ".github/codebuild.yml", "buildspec: builtin:node\n");
    await quietBuild(site, sha(1));
    expect(byRoute(site, 0)).toEqual({ [TOKEN]: 1, [CONFIG]: 1, [CREATE]: 1, [UPDATE]: 2 });
    const second = site.app.github.sent.length;
    await quietBuild(site, sha(2));
    expect(byRoute(site, second)).toEqual({ [CONFIG]: 1, [CREATE]: 1, [UPDATE]: 2 });
    expect(site.app.github.sent.filter((r) => r.method === "GET" && r.path === "/app")).toHaveLength(1);
  });

  test("a repository without a file: one more read, of the owner's .github repository", async () => {
    await quietBuild(site, sha(3));
    expect(byRoute(site, 0)).toEqual({ [TOKEN]: 1, [CONFIG]: 2, [CREATE]: 1, [UPDATE]: 2 });
    expect(site.app.github.sent.filter((r) => r.path.startsWith("/repos/Codertocat/.github/contents/"))).toHaveLength(1);
  });

  test("a start tried again: one more update, for the retrying title, and no lookup of the run it created", async () => {
    site.app.github.file(repo, sha(4), ".github/codebuild.yml", "buildspec: builtin:node\n");
    const throttled = { status: 400, type: "ThrottlingException", message: "Rate exceeded" };
    site.codebuild.failNext.set("StartBuild", [throttled, throttled, throttled]);
    await quietBuild(site, sha(4));
    expect(byRoute(site, 0)).toEqual({ [TOKEN]: 1, [CONFIG]: 1, [CREATE]: 1, [UPDATE]: 3 });
    expect(byRoute(site, 0)[LOOKUP]).toBeUndefined();
  });
});

describe("GitHub requests per build: an event processed again", () => {
  const site = useCodeBuildTestApp({ CHECK_UPDATE_INTERVAL_MS: "10000", LEASE_DURATION_MS: "1000" });
  const repo = pushPayload(sha(0)).repository.full_name as string;

  test("looks its check run up by external_id, which a first attempt never does", async () => {
    site.codebuild.startPhase = "BUILD";
    site.app.github.file(repo, sha(5), ".github/codebuild.yml", "buildspec: builtin:node\n");
    // The first attempt cannot create the run, nor say so on a new one: it fails, and the intake tries again.
    site.app.github.failNext("POST", /\/check-runs$/, 422, 2);
    await quietBuild(site, sha(5));
    const counts = byRoute(site, 0);
    expect(counts).toEqual({ [TOKEN]: 1, [CONFIG]: 2, [CREATE]: 3, [LOOKUP]: 1, [UPDATE]: 2 });
    const lookup = site.app.github.sent.findIndex((r) => r.path.includes("/commits/"));
    const refused = site.app.github.requests.filter((r) => r.failedWith === 422);
    expect(refused).toHaveLength(2);
    expect(lookup).toBeGreaterThan(site.app.github.sent.findIndex((r) => r.method === "POST" && r.path.endsWith("/check-runs")));
  });
});
