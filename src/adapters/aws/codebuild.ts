import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
  type StartBuildCommandInput,
} from "@aws-sdk/client-codebuild";
import type { BuildPhase, BuildSnapshot, BuildStatus, StartBuildRequest } from "../../domain/build.js";
import type { BuildRunner } from "../../ports/build-runner.js";

/** BatchGetBuilds takes at most 100 ids per call (CodeBuild API reference). */
export const BATCH_GET_BUILDS_MAX_IDS = 100;

const STATUSES: ReadonlySet<string> = new Set<BuildStatus>(["IN_PROGRESS", "SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"]);

/** The CodeBuild runner: builds run in the operator's AWS account. */
export class CodeBuildRunner implements BuildRunner {
  constructor(private readonly client: CodeBuildClient = new CodeBuildClient({ retryMode: "adaptive" })) {}

  async start(request: StartBuildRequest): Promise<{ id: string }> {
    // A refusal is put in words where every start-path error is (builds/start-failure.ts).
    const out = await this.client.send(new StartBuildCommand(toStartBuildInput(request)));
    const id = out.build?.id;
    if (!id) throw new Error("CodeBuild answered StartBuild without a build id");
    return { id };
  }

  async get(ids: string[]): Promise<BuildSnapshot[]> {
    const snapshots: BuildSnapshot[] = [];
    for (let i = 0; i < ids.length; i += BATCH_GET_BUILDS_MAX_IDS) {
      const out = await this.client.send(new BatchGetBuildsCommand({ ids: ids.slice(i, i + BATCH_GET_BUILDS_MAX_IDS) }));
      for (const build of out.builds ?? []) {
        const snapshot = toSnapshot(build);
        if (snapshot) snapshots.push(snapshot);
      }
    }
    return snapshots;
  }

  async stop(id: string): Promise<void> {
    await this.client.send(new StopBuildCommand({ id }));
  }
}

export function toStartBuildInput(request: StartBuildRequest): StartBuildCommandInput {
  const inlineOrPath = request.buildspec;
  return {
    projectName: request.projectName,
    sourceVersion: request.sourceVersion,
    sourceTypeOverride: request.sourceType,
    sourceLocationOverride: request.sourceLocation,
    reportBuildStatusOverride: false,
    idempotencyToken: request.idempotencyToken,
    environmentVariablesOverride: request.variables.map((v) => ({ name: v.name, value: v.value, type: v.type })),
    ...(inlineOrPath !== undefined && { buildspecOverride: inlineOrPath }),
    ...(request.timeoutMinutes !== undefined && { timeoutInMinutesOverride: request.timeoutMinutes }),
    ...(request.serviceRole !== undefined && { serviceRoleOverride: request.serviceRole }),
    ...(request.noCache && { cacheOverride: { type: "NO_CACHE" as const } }),
    ...(request.sourceAuth !== undefined && { sourceAuthOverride: request.sourceAuth }),
  };
}

function toSnapshot(build: Build): BuildSnapshot | null {
  if (!build.id || !build.buildStatus || !STATUSES.has(build.buildStatus)) return null;
  const phases: BuildPhase[] = (build.phases ?? []).map((p) => ({
    name: p.phaseType ?? "UNKNOWN",
    status: p.phaseStatus,
    startTime: p.startTime,
    endTime: p.endTime,
    durationSeconds: p.durationInSeconds,
    messages: (p.contexts ?? []).map((c) => c.message ?? "").filter((m) => m.length > 0),
  }));
  const exported = (build.exportedEnvironmentVariables ?? []).flatMap((v) => (v.name === undefined ? [] : [{ name: v.name, value: v.value ?? "" }]));
  const cloudWatch = build.logs?.cloudWatchLogs;
  const s3 = build.logs?.s3Logs;
  return {
    id: build.id,
    status: build.buildStatus as BuildStatus,
    currentPhase: build.currentPhase,
    startTime: build.startTime,
    endTime: build.endTime,
    phases,
    logs: build.logs
      ? {
          groupName: build.logs.groupName,
          streamName: build.logs.streamName,
          deepLink: build.logs.deepLink,
          s3Only: cloudWatch?.status === "DISABLED" && s3?.status === "ENABLED",
        }
      : undefined,
    ...(exported.length > 0 && { exportedVariables: exported }),
  };
}
