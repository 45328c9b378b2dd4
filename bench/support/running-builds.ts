import { randomBytes } from "node:crypto";
import type { DynamoDbBuildRecordStore } from "../../src/adapters/aws/dynamodb/build-records.js";
import type { BuildSnapshot } from "../../src/domain/build.js";
import { buildRecord, runningSnapshot } from "../../test/support/build-records.js";
import type { World } from "../../test/support/child-app.js";
import type { FakeBuild } from "../../test/support/fake-codebuild.js";
import { benchSha } from "./bench-app.js";

/** Check runs of the seeded builds get ids from here up, clear of those the fake GitHub hands out. */
const FIRST_CHECK_RUN_ID = 500_000;
const INSTALLATION_ID = 7;
/** Records written at once. */
const WRITES_AT_ONCE = 25;

/** The snapshot as CodeBuild's BatchGetBuilds reports it (times in seconds). */
function asCodeBuildReports(snapshot: BuildSnapshot, projectName: string): FakeBuild {
  const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);
  return {
    id: snapshot.id,
    arn: `arn:aws:codebuild:us-east-1:123456789012:build/${snapshot.id}`,
    buildStatus: snapshot.status,
    currentPhase: snapshot.currentPhase ?? "BUILD",
    startTime: seconds(snapshot.startTime) ?? Date.now() / 1000,
    projectName,
    phases: snapshot.phases.map((p) => ({
      phaseType: p.name,
      phaseStatus: p.status,
      startTime: seconds(p.startTime),
      endTime: seconds(p.endTime),
      durationInSeconds: p.durationSeconds,
    })),
    logs: { groupName: snapshot.logs?.groupName, streamName: snapshot.logs?.streamName, cloudWatchLogs: { status: "ENABLED" } },
  };
}

/**
 * `count` builds running in CodeBuild as if the app had started them: each with its record in the
 * table (started, unfinished, no lease: any replica may take it), its check run on GitHub and
 * `logLines` lines in its CloudWatch log. Returns their CodeBuild ids.
 */
export async function seedRunningBuilds(world: World, records: DynamoDbBuildRecordStore, count: number, logLines: string[]): Promise<string[]> {
  const projectName = world.codebuild.logGroup!.split("/").pop()!;
  const seeded = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const stream = `running-${n}`;
    const snapshot = runningSnapshot({
      id: `${projectName}:${stream}`,
      startTime: new Date(),
      phases: [{ name: "BUILD", startTime: new Date(), messages: [] }],
      logs: { groupName: world.codebuild.logGroup, streamName: stream, s3Only: false },
    });
    const sha = benchSha(n);
    const base = buildRecord();
    const record = buildRecord({
      deploymentId: randomBytes(16).toString("hex"),
      installationId: INSTALLATION_ID,
      checkRunId: FIRST_CHECK_RUN_ID + n,
      buildId: snapshot.id,
      snapshot,
      plan: { ...base.plan, sha, sourceVersion: `refs/heads/main^{${sha}}` },
      createdAt: new Date().toISOString(),
    });
    world.codebuild.builds.set(snapshot.id, asCodeBuildReports(snapshot, projectName));
    world.logs.append(world.codebuild.logGroup!, stream, logLines);
    world.github.checkRuns.set(record.checkRunId, { id: record.checkRunId, name: record.checkName, head_sha: sha, status: "in_progress", history: [] });
    return record;
  });
  for (let i = 0; i < seeded.length; i += WRITES_AT_ONCE) await Promise.all(seeded.slice(i, i + WRITES_AT_ONCE).map((r) => records.put(r)));
  return seeded.map((r) => r.buildId!);
}
