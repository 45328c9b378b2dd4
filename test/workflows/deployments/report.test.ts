import type { BuildRecord } from "../../../src/ports/build-records.js";
import { deploymentStatusOf, type DeploymentStatus, type NewDeployment } from "../../../src/deployments/deployment.js";
import type { DeploymentComments, DeploymentTarget, DeploymentWriteKind, Deployments } from "../../../src/ports/deployments.js";
import { openDeployment, reportStartFailure, reportStatus, type DeploymentReporting } from "../../../src/workflows/deployments/report.js";
import { emptyThread, type DeploymentThread, type ThreadKey } from "../../../src/deployments/thread.js";
import { createMasker, type MaskedText, type Masker } from "../../../src/variables/masking.js";
import { buildRecord, completed, pullRequestRecord } from "../../support/build-records.js";

/** GitHub's deployments as a list: what was made, looked up, and every status sent. */
class RecordingDeployments implements Deployments {
  readonly made: NewDeployment[] = [];
  readonly lookups: string[] = [];
  readonly statuses: { id: number; state: string; description: string; environmentUrl?: string; kind: DeploymentWriteKind }[] = [];
  existing = new Map<string, number>();

  async find(_target: DeploymentTarget, build: { deploymentId: string }) {
    this.lookups.push(build.deploymentId);
    return this.existing.get(build.deploymentId);
  }

  async create(_target: DeploymentTarget, deployment: NewDeployment) {
    this.made.push(deployment);
    return 500 + this.made.length;
  }

  async report(_target: DeploymentTarget, id: number, status: DeploymentStatus & { logUrl: string }, masker: Masker, kind: DeploymentWriteKind) {
    this.statuses.push({
      id,
      state: status.state,
      description: masker.mask(status.description),
      ...(status.environmentUrl && { environmentUrl: masker.mask(status.environmentUrl) }),
      kind,
    });
    return true;
  }
}

/** Threads kept in memory; the comment itself is not written here. */
class MemoryComments implements DeploymentComments {
  readonly threads = new Map<number, DeploymentThread>();

  async update(_target: DeploymentTarget, key: ThreadKey, change: (thread: DeploymentThread) => DeploymentThread) {
    const thread = change(this.threads.get(key.pullRequest) ?? emptyThread(key));
    this.threads.set(key.pullRequest, thread);
    return { thread, written: Promise.resolve(true) };
  }

  async thread(key: ThreadKey) {
    return this.threads.get(key.pullRequest);
  }
}

function setUp() {
  const deployments = new RecordingDeployments();
  const comments = new MemoryComments();
  const reporting: DeploymentReporting = {
    deployments,
    deploymentComments: comments,
    logUrl: (id) => `https://ci.example.com/builds/${id}`,
    log: { warn: () => undefined },
  };
  return { deployments, comments, reporting };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("openDeployment", () => {
  test("a first attempt makes the deployment without looking, and reports it queued", async () => {
    const { deployments, reporting } = setUp();
    const made = await openDeployment(buildRecord(), { lookFirst: false, masker: createMasker() }, reporting);
    await settled();
    expect(made).toEqual({ id: 501, environment: "production" });
    expect(deployments.lookups).toEqual([]);
    expect(deployments.made).toHaveLength(1);
    expect(deployments.statuses).toEqual([{ id: 501, state: "queued", description: "Waiting for the build to start", kind: "progress" }]);
  });

  test("an attempt after another looks it up by DEPLOYMENT_ID and makes none when found", async () => {
    const { deployments, reporting } = setUp();
    const record = buildRecord();
    deployments.existing.set(record.deploymentId, 42);
    expect(await openDeployment(record, { lookFirst: true, masker: createMasker() }, reporting)).toEqual({ id: 42, environment: "production" });
    expect(deployments.lookups).toEqual([record.deploymentId]);
    expect(deployments.made).toEqual([]);
  });

  test("a deployment the build's record already names is neither looked up nor made", async () => {
    const { deployments, reporting } = setUp();
    await openDeployment(buildRecord(), { known: { id: 7, environment: "production" }, lookFirst: true, masker: createMasker() }, reporting);
    expect(deployments.lookups).toEqual([]);
    expect(deployments.made).toEqual([]);
  });

  test("a pull request's first deployment starts its thread", async () => {
    const { comments, reporting } = setUp();
    await openDeployment(pullRequestRecord(), { lookFirst: false, masker: createMasker() }, reporting);
    await settled();
    expect([...comments.threads.values()][0]!.entries).toEqual([expect.objectContaining({ state: "queued", githubDeploymentId: 501 })]);
  });
});

describe("reportStatus", () => {
  const deployed = (record: BuildRecord, id = 9) => ({ ...record, deployment: { id, environment: record.plan.environment } });
  const succeeded = (record: BuildRecord) => {
    const done = completed(record);
    return deploymentStatusOf({ build: { ...done.snapshot!, deployUrl: { url: `https://${record.deploymentId}.example/` as MaskedText, masked: false } } });
  };

  test("a push's status goes to its deployment, with the build's log page; no thread", async () => {
    const { deployments, comments, reporting } = setUp();
    const record = deployed(buildRecord());
    await reportStatus(record, succeeded(record), createMasker(), "completion", reporting);
    expect(deployments.statuses).toEqual([
      { id: 9, state: "success", description: "Deployed", environmentUrl: `https://${record.deploymentId}.example/`, kind: "completion" },
    ]);
    expect(comments.threads.size).toBe(0);
  });

  test("a newer preview that succeeds leaves the pull request's earlier live ones inactive", async () => {
    const { deployments, comments, reporting } = setUp();
    const older = deployed({ ...pullRequestRecord(), deploymentId: "older", createdAt: "2024-05-01T11:00:00.000Z" }, 3);
    const newer = deployed(pullRequestRecord());
    await reportStatus(older, succeeded(older), createMasker(), "completion", reporting);
    await reportStatus(newer, succeeded(newer), createMasker(), "completion", reporting);
    expect(deployments.statuses.map((s) => [s.id, s.state])).toEqual([
      [3, "success"],
      [9, "success"],
      [3, "inactive"],
    ]);
    expect([...comments.threads.values()][0]!.entries.map((e) => [e.deploymentId, e.state])).toEqual([
      [newer.deploymentId, "success"],
      ["older", "inactive"],
    ]);
  });

  test("a secret in a status is masked by the port's masker", async () => {
    const { deployments, reporting } = setUp();
    const record = deployed(buildRecord());
    await reportStatus(
      record,
      { state: "success", description: "Deployed", environmentUrl: "https://x.example/?t=tok-1234567" as MaskedText },
      createMasker(["tok-1234567"]),
      "completion",
      reporting,
    );
    expect(deployments.statuses[0]!.environmentUrl).toBe("https://x.example/?t=***");
  });
});

test("a build that could not start ends its deployment error, and its pull request's comment says so", async () => {
  const { deployments, comments, reporting } = setUp();
  await reportStartFailure({ ...pullRequestRecord(), deployment: { id: 9, environment: "preview" } }, createMasker(), reporting);
  expect(deployments.statuses).toEqual([{ id: 9, state: "error", description: "The build could not be started: the check run says why", kind: "completion" }]);
  expect([...comments.threads.values()][0]!.entries[0]!.state).toBe("error");
});
