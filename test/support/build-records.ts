import { recordedSnapshot } from "../../src/builds/build-record.js";
import type { BuildRecord, RecordedSnapshot } from "../../src/ports/build-records.js";
import type { BuildSnapshot } from "../../src/domain/build.js";
import { createMasker } from "../../src/variables/masking.js";
import type { RepositoryRef } from "../../src/domain/trigger.js";

export const SHA = "1095e7ab1095e7ab1095e7ab1095e7ab1095e7ab";

export function repository(overrides: Partial<RepositoryRef> = {}): RepositoryRef {
  const owner = overrides.owner ?? "octo";
  const name = overrides.name ?? "site";
  return {
    id: 102,
    defaultBranch: "main",
    private: false,
    cloneUrl: `https://github.com/${owner}/${name}.git`,
    ...overrides,
    owner,
    name,
    fullName: `${owner}/${name}`,
  };
}

/** CodeBuild's report of a build in its BUILD phase, started at 12:00:00, as a record keeps it (no value to mask in it). */
export function runningSnapshot(overrides: Partial<BuildSnapshot> = {}): RecordedSnapshot {
  const t = (s: number) => new Date(Date.parse("2024-05-01T12:00:00Z") + s * 1000);
  return recordedSnapshot(
    {
      id: "shared-builds:0001",
      status: "IN_PROGRESS",
      currentPhase: "BUILD",
      startTime: t(0),
      phases: [
        { name: "SUBMITTED", status: "SUCCEEDED", startTime: t(0), endTime: t(1), durationSeconds: 1, messages: [] },
        { name: "PROVISIONING", status: "SUCCEEDED", startTime: t(1), endTime: t(9), durationSeconds: 8, messages: [] },
        { name: "INSTALL", status: "SUCCEEDED", startTime: t(9), endTime: t(40), durationSeconds: 31, messages: [] },
        { name: "BUILD", startTime: t(40), messages: [] },
      ],
      logs: { groupName: "/aws/codebuild/shared-builds", streamName: "0001", s3Only: false },
      ...overrides,
    },
    createMasker(),
    true,
  );
}

/** A push build of `octo/site`'s main branch, running in CodeBuild. */
export function buildRecord(overrides: Partial<BuildRecord> = {}): BuildRecord {
  const repo = overrides.repository ?? repository();
  return {
    deploymentId: "0123456789abcdef0123456789abcdef",
    installationId: 11,
    repository: repo,
    trigger: {
      kind: "push",
      deliveryId: "delivery-1",
      installationId: 11,
      repository: repo,
      sender: { login: "octocat", id: 1, type: "User" },
      ref: "refs/heads/main",
      before: "0".repeat(40),
      after: SHA,
      created: false,
      deleted: false,
      headCommitMessage: "Build it",
      changedFiles: null,
    },
    plan: { sha: SHA, sourceVersion: `refs/heads/main^{${SHA}}`, environment: "production", branch: "main", trusted: true },
    checkName: "CodeBuild",
    checkRunId: 4000,
    excerptLines: 50,
    variables: [],
    secretIds: [],
    buildId: "shared-builds:0001",
    status: "IN_PROGRESS",
    snapshot: runningSnapshot(),
    completed: false,
    createdAt: "2024-05-01T12:00:00.000Z",
    ...overrides,
  };
}

/** The record once the build succeeded and its check run completed. */
export function completed(record: BuildRecord, status: BuildRecord["status"] = "SUCCEEDED"): BuildRecord {
  const snapshot = record.snapshot ?? runningSnapshot();
  const end = new Date(Date.parse("2024-05-01T12:02:41Z"));
  const phases = snapshot.phases.map((phase) =>
    phase.endTime ? phase : { ...phase, status, endTime: end, durationSeconds: (end.getTime() - phase.startTime!.getTime()) / 1000 },
  );
  return { ...record, status, completed: true, snapshot: { ...snapshot, status, endTime: end, currentPhase: "COMPLETED", phases } };
}

/** A build of pull request #42 (`feature/faster-builds` into `main`), running in CodeBuild. */
export function pullRequestRecord(overrides: Partial<BuildRecord> = {}): BuildRecord {
  const base = buildRecord(overrides);
  const author = { login: "octocat", id: 1, type: "User" };
  return {
    ...base,
    trigger: {
      kind: "pull_request",
      deliveryId: "delivery-2",
      installationId: base.installationId,
      repository: base.repository,
      sender: author,
      action: "synchronize",
      number: 42,
      headSha: SHA,
      headRef: "feature/faster-builds",
      baseRef: "main",
      fromFork: false,
      author,
    },
    plan: {
      sha: SHA,
      sourceVersion: `refs/pull/42/head^{${SHA}}`,
      environment: "preview",
      branch: "feature/faster-builds",
      baseBranch: "main",
      pullRequestNumber: 42,
      trusted: true,
    },
    ...overrides,
  };
}
