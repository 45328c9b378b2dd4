import pino from "pino";
import { MemoryBuildRecordStore } from "../../../src/adapters/memory/records.js";
import type { BuildRecord } from "../../../src/ports/build-records.js";
import type { BuildSnapshot, StartBuildRequest } from "../../../src/domain/build.js";
import { cancelsInProgress, supersededBuilds, supersedeOlderBuilds, type NewBuild } from "../../../src/workflows/builds/supersede.js";
import type { Trigger } from "../../../src/domain/trigger.js";
import { buildRecord, pullRequestRecord, repository } from "../../support/build-records.js";
import type { BuildRunner } from "../../../src/ports/build-runner.js";

const NEWER = "2222222222222222222222222222222222222222";

/** A running build of `base`'s kind, with its own deployment id and CodeBuild id. */
function running(base: BuildRecord, n: number, overrides: Partial<BuildRecord> = {}): BuildRecord {
  return { ...base, deploymentId: `deployment-${n}`, buildId: `shared-builds:${n}`, ...overrides };
}

/** The build about to start for the same kind of trigger as `record`, at a newer commit. */
function newBuildLike(record: BuildRecord, changes: { trigger?: Partial<Trigger>; plan?: Partial<BuildRecord["plan"]> } = {}): NewBuild {
  return {
    deploymentId: "deployment-new",
    trigger: { ...record.trigger, ...changes.trigger } as Trigger,
    plan: { ...record.plan, sha: NEWER, ...changes.plan },
  };
}

const push = running(buildRecord(), 1);
const pr42 = running(pullRequestRecord(), 2);
const mergeGroupRecord = running(
  {
    ...buildRecord(),
    trigger: {
      ...pullRequestRecord().trigger,
      kind: "merge_group",
      headSha: "1".repeat(40),
      headRef: "refs/heads/gh-readonly-queue/main/pr-42-1",
      baseRef: "refs/heads/main",
    } as Trigger,
    plan: { sha: "1".repeat(40), sourceVersion: "x", environment: "preview", branch: "gh-readonly-queue/main/pr-42-1", trusted: true },
  },
  3,
);

describe("cancel_in_progress defaults", () => {
  test.each<[string, Trigger, boolean | undefined, boolean]>([
    ["pull request, unset", pr42.trigger, undefined, true],
    ["push, unset", push.trigger, undefined, false],
    ["merge group, unset", mergeGroupRecord.trigger, undefined, false],
    ["pull request, false", pr42.trigger, false, false],
    ["push, true", push.trigger, true, true],
  ])("%s", (_, trigger, setting, expected) => {
    expect(cancelsInProgress(trigger, { cancel_in_progress: setting })).toBe(expected);
  });
});

describe("which running builds a new one supersedes", () => {
  test.each<[string, BuildRecord, NewBuild, boolean | undefined, boolean]>([
    ["a new commit of the same pull request", pr42, newBuildLike(pr42), undefined, true],
    ["the same pull request, cancel_in_progress false", pr42, newBuildLike(pr42), false, false],
    ["another pull request", pr42, newBuildLike(pr42, { plan: { pullRequestNumber: 43 } }), undefined, false],
    [
      "the same pull request number in another repository",
      pr42,
      newBuildLike(pr42, { trigger: { repository: repository({ id: 999, name: "other" }) } }),
      undefined,
      false,
    ],
    ["a push to the same branch, default (off for pushes)", push, newBuildLike(push), undefined, false],
    ["a push to the same branch, cancel_in_progress true", push, newBuildLike(push), true, true],
    ["a push to another branch", push, newBuildLike(push, { trigger: { ref: "refs/heads/release/1" }, plan: { branch: "release/1" } }), true, false],
    ["a tag of the branch's name is another ref", push, newBuildLike(push, { trigger: { ref: "refs/tags/main" } }), true, false],
    ["a push never supersedes a pull request's build", pr42, newBuildLike(push), true, false],
    ["a pull request never supersedes a push's build", push, newBuildLike(pr42), true, false],
    ["a new merge group never supersedes", mergeGroupRecord, newBuildLike(mergeGroupRecord), true, false],
    [
      "a merge group's build is never superseded by a push",
      mergeGroupRecord,
      newBuildLike(push, { plan: { branch: mergeGroupRecord.plan.branch } }),
      true,
      false,
    ],
    ["never itself", pr42, { ...newBuildLike(pr42), deploymentId: pr42.deploymentId }, undefined, false],
    ["a build that has not started (no build id)", { ...pr42, buildId: undefined }, newBuildLike(pr42), undefined, false],
    ["a completed build", { ...pr42, completed: true }, newBuildLike(pr42), undefined, false],
  ])("%s", (_, record, next, setting, superseded) => {
    const chosen = supersededBuilds([record], next, { cancel_in_progress: setting });
    expect(chosen.map((r) => r.deploymentId)).toEqual(superseded ? [record.deploymentId] : []);
  });

  test("every older build of the pull request, and only those", () => {
    const others = [running(pullRequestRecord(), 4), push, running(pullRequestRecord(), 5, { plan: { ...pr42.plan, pullRequestNumber: 7 } })];
    const chosen = supersededBuilds([pr42, ...others], newBuildLike(pr42), {});
    expect(chosen.map((r) => r.deploymentId)).toEqual(["deployment-2", "deployment-4"]);
  });
});

/** CodeBuild as far as stopping goes: records what was stopped; ids in `finished` refuse, as builds that ended. */
class StoppingRunner implements BuildRunner {
  readonly stopped: string[] = [];
  constructor(private readonly finished: string[] = []) {}
  async start(_request: StartBuildRequest): Promise<{ id: string }> {
    throw new Error("not started in these tests");
  }
  async get(_ids: string[]): Promise<BuildSnapshot[]> {
    return [];
  }
  async stop(id: string): Promise<void> {
    if (this.finished.includes(id)) throw new Error(`Build ${id} has already completed`);
    this.stopped.push(id);
  }
}

describe("superseding older builds", () => {
  const log = pino({ level: "silent" });

  test("marks each superseded build with the new commit, then stops it", async () => {
    const records = new MemoryBuildRecordStore();
    for (const record of [pr42, push]) await records.put(record);
    const runner = new StoppingRunner();
    expect(await supersedeOlderBuilds(newBuildLike(pr42), {}, { records, runner, log })).toBe(1);
    expect(runner.stopped).toEqual([pr42.buildId]);
    expect((await records.get(pr42.deploymentId))?.supersededBy).toBe(NEWER);
    expect((await records.get(push.deploymentId))?.supersededBy).toBeUndefined();
  });

  test("a build that ended meanwhile cannot be stopped: the others still are, and nothing fails", async () => {
    const records = new MemoryBuildRecordStore();
    const ended = running(pullRequestRecord(), 6);
    for (const record of [ended, pr42]) await records.put(record);
    const runner = new StoppingRunner([ended.buildId!]);
    await expect(supersedeOlderBuilds(newBuildLike(pr42), {}, { records, runner, log })).resolves.toBe(1);
    expect(runner.stopped).toEqual([pr42.buildId]);
  });

  test("nothing is stopped when cancel_in_progress is false", async () => {
    const records = new MemoryBuildRecordStore();
    await records.put(pr42);
    const runner = new StoppingRunner();
    expect(await supersedeOlderBuilds(newBuildLike(pr42), { cancel_in_progress: false }, { records, runner, log })).toBe(0);
    expect(runner.stopped).toEqual([]);
    expect((await records.get(pr42.deploymentId))?.supersededBy).toBeUndefined();
  });
});
