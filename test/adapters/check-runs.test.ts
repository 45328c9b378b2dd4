import nock from "nock";
import { ProbotOctokit } from "probot";
import { GitHubCheckRuns } from "../../src/adapters/github/check-runs.js";
import { GitHubWriteBudgets } from "../../src/ports/write-budget.js";
import { AppMetrics } from "../../src/metrics/registry.js";
import type { CheckRunContent, CheckRunRef } from "../../src/ports/check-runs.js";
import { createMasker } from "../../src/variables/masking.js";
import { FakeClock } from "../support/fake-clock.js";
import { useStrictNock } from "../support/nock-strict.js";

const API = "https://api.github.com";
const SECRET = "hunter2-S3cret";
const RUN: CheckRunRef = { installationId: 7, owner: "octo", repo: "site", checkRunId: 55 };
const mask = createMasker([SECRET]);

const progress = (title: string): CheckRunContent => ({ state: { status: "in_progress" }, output: { title, summary: "s" }, mask });
const completion = (title: string): CheckRunContent => ({
  state: { status: "completed", conclusion: "success", completedAt: new Date("2026-01-01T12:00:00Z") },
  output: { title, summary: "s" },
  mask,
});

/** The port over a budget of one write a second on a fake clock, and GitHub's PATCH bodies of run 55 as they come. */
function setUp() {
  const clock = new FakeClock();
  const metrics = new AppMetrics();
  const octokit = new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
  const checkRuns = new GitHubCheckRuns({ writes: new GitHubWriteBudgets({ perMinute: 60, clock }), github: async () => octokit, metrics });
  const patched: Record<string, any>[] = [];
  nock(API)
    .persist()
    .patch(`/repos/octo/site/check-runs/55`, (body: Record<string, any>) => Boolean(patched.push(body)))
    .reply(200, { id: 55 });
  return { clock, metrics, checkRuns, patched };
}

/** Moves the fake clock on until `work` settles (GitHub's answers come in real time, through nock). */
async function settled<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false;
  const settle = () => void (done = true);
  work.then(settle, settle);
  while (!done) await clock.advance(100);
  return work;
}

useStrictNock();
afterEach(() => nock.cleanAll());

describe("GitHubCheckRuns: the check-run port over GitHub", () => {
  test("every string of a report is masked, annotations too", async () => {
    const { clock, checkRuns, patched } = setUp();
    const content: CheckRunContent = {
      state: { status: "in_progress" },
      output: {
        title: `login ${SECRET}`,
        summary: `> ${SECRET}`,
        text: `token=${SECRET}`,
        annotations: [{ path: "src/a.ts", start_line: 1, end_line: 1, annotation_level: "failure", message: `uses ${SECRET}`, title: SECRET }],
      },
      mask,
    };
    await expect(settled(clock, checkRuns.report(RUN, content))).resolves.toEqual({ status: "sent", content });
    expect(JSON.stringify(patched)).not.toContain(SECRET);
    expect(patched[0]).toMatchObject({
      output: { title: "login ***", summary: "> ***", text: "token=***", annotations: [{ message: "uses ***", title: "***" }] },
    });
  });

  test("reports that pile up while one waits go as one write, of the freshest content, and all of them say what went", async () => {
    const { clock, metrics, checkRuns, patched } = setUp();
    const first = checkRuns.report(RUN, progress("first"));
    let fresh = "rendered when its turn came";
    const piled = [1, 2, 3].map((n) => checkRuns.report(RUN, progress(`report ${n}`), { fresher: () => progress(fresh) }));
    fresh = "rendered when its turn came, with the latest lines";
    const outcomes = await settled(clock, Promise.all(piled));
    await expect(first).resolves.toMatchObject({ status: "sent" });
    expect(patched.map((body) => body.output.title)).toEqual(["first", "rendered when its turn came, with the latest lines"]);
    expect(outcomes.map((o) => o.status === "sent" && o.content.output.title)).toEqual(Array(3).fill(fresh));
    expect(await metrics.text()).toMatch(/^codebuild_checks_check_run_writes_coalesced_total 2$/m);
  });

  test("a completion replaces waiting progress and is never replaced by it; progress after it is dropped", async () => {
    const { clock, checkRuns, patched } = setUp();
    const first = checkRuns.report(RUN, progress("first"));
    void checkRuns.report(RUN, progress("waiting"));
    const done = checkRuns.report(RUN, completion("done"));
    // Fresher progress never turns a completion back into progress.
    const late = checkRuns.report(RUN, progress("late"), { fresher: () => progress("later") });
    await settled(clock, Promise.all([first, done, late]));
    await expect(done).resolves.toMatchObject({ status: "sent" });
    await expect(late).resolves.toMatchObject({ status: "sent", content: { output: { title: "done" } } });
    await expect(checkRuns.report(RUN, progress("after"))).resolves.toEqual({ status: "dropped" });
    await clock.advance(5_000);
    expect(patched.map((body) => [body.status, body.output.title])).toEqual([
      ["in_progress", "first"],
      ["completed", "done"],
    ]);
  });

  test("content the run already shows is not sent again, and counts as sent", async () => {
    const { clock, checkRuns, patched } = setUp();
    await settled(clock, checkRuns.report(RUN, progress("same")));
    const sent: string[] = [];
    const again = checkRuns.report(RUN, progress("same"), { sent: (content) => sent.push(content.output.title) });
    await expect(settled(clock, again)).resolves.toMatchObject({ status: "sent" });
    expect(sent).toEqual(["same"]);
    expect(patched).toHaveLength(1);
  });

  test("a report GitHub refuses fails, and the next one goes", async () => {
    const { clock, checkRuns } = setUp();
    nock.cleanAll();
    nock(API).patch("/repos/octo/site/check-runs/55").reply(422, { message: "Validation Failed" });
    await expect(settled(clock, checkRuns.report(RUN, progress("refused")))).resolves.toEqual({ status: "failed" });
    nock(API).patch("/repos/octo/site/check-runs/55").reply(200, { id: 55 });
    await expect(settled(clock, checkRuns.report(RUN, progress("refused")))).resolves.toMatchObject({ status: "sent" });
  });

  test("a created run and a set state are masked too, and their errors reach the caller", async () => {
    const { clock, checkRuns } = setUp();
    const created: Record<string, any>[] = [];
    nock(API)
      .post("/repos/octo/site/check-runs", (body: Record<string, any>) => Boolean(created.push(body)))
      .reply(201, { id: 56 });
    const id = checkRuns.create(RUN, { ...progress(`queued for ${SECRET}`), name: "CodeBuild", headSha: "a".repeat(40), externalId: "d1" });
    await expect(settled(clock, id)).resolves.toBe(56);
    expect(created[0]).toMatchObject({ name: "CodeBuild", external_id: "d1", output: { title: "queued for ***" } });

    nock.cleanAll();
    nock(API).patch("/repos/octo/site/check-runs/55").reply(403, { message: "Resource not accessible by integration" });
    const refusal = checkRuns.set(RUN, completion(`failed with ${SECRET}`)).catch((error: unknown) => error);
    expect(await settled(clock, refusal)).toMatchObject({ status: 403 });
  });
});
