import { AwsJsonFake, ok, refuse, type AwsJsonHandler } from "./aws-json-fake.js";
import { BATCH_GET_BUILDS_MAX_IDS } from "../../src/adapters/aws/codebuild.js";
import { LOG_GRACE_MS } from "../../src/builds/watch/step.js";

export interface FakePhase {
  phaseType: string;
  phaseStatus?: string;
  startTime?: number;
  endTime?: number;
  durationInSeconds?: number;
  contexts?: { statusCode?: string; message?: string }[];
}

export interface FakeBuild {
  id: string;
  arn: string;
  buildStatus: string;
  currentPhase: string;
  startTime: number;
  endTime?: number;
  projectName: string;
  /** As StartBuild was asked: `refs/…^{<sha>}`. */
  sourceVersion?: string;
  phases: FakePhase[];
  logs?: { groupName?: string; streamName?: string; deepLink?: string; cloudWatchLogs?: { status: string }; s3Logs?: { status: string } };
  /** The buildspec's exported-variables, as CodeBuild reports them once the build ended. */
  exportedEnvironmentVariables?: { name: string; value: string }[];
}

/**
 * A small CodeBuild on 127.0.0.1 speaking the service's JSON 1.1 protocol, so the
 * app reaches it through AWS_ENDPOINT_URL_CODEBUILD exactly as it reaches AWS.
 */
export class FakeCodeBuild extends AwsJsonFake {
  readonly builds = new Map<string, FakeBuild>();
  /** Where new builds say their CloudWatch log is: `logs` in BatchGetBuilds, as CodeBuild reports it. */
  logGroup: string | undefined;
  /** Where new builds are when StartBuild answers: SUBMITTED, as CodeBuild has them, unless a test moves them on at once. */
  startPhase = "SUBMITTED";
  private counter = 0;
  /** StartBuild's idempotency tokens: a repeated token starts nothing and answers the same build, as CodeBuild does. */
  private readonly tokens = new Map<string, string>();

  /** Moves a build on, as CodeBuild would. */
  update(id: string, change: Partial<FakeBuild>): void {
    const build = this.builds.get(id);
    if (!build) throw new Error(`no fake build ${id}`);
    Object.assign(build, change);
  }

  /**
   * Ends a build as CodeBuild would, as if a while ago: the app completes its check run without
   * waiting for late log lines (LOG_GRACE_MS).
   */
  endEarlier(id: string, buildStatus = "SUCCEEDED"): void {
    const endTime = Date.now() / 1000 - LOG_GRACE_MS / 1000;
    this.update(id, { buildStatus, currentPhase: "COMPLETED", startTime: endTime - 30, endTime });
  }

  protected readonly handlers: Record<string, AwsJsonHandler> = {
    StartBuild: (input) => {
      const token = input.idempotencyToken === undefined ? undefined : String(input.idempotencyToken);
      const earlier = token && this.tokens.get(token);
      if (earlier) return ok({ build: this.builds.get(earlier) });
      const projectName = String(input.projectName);
      const id = `${projectName}:build-${++this.counter}`;
      const build: FakeBuild = {
        id,
        arn: `arn:aws:codebuild:us-east-1:123456789012:build/${id}`,
        buildStatus: "IN_PROGRESS",
        currentPhase: this.startPhase,
        startTime: Date.now() / 1000,
        projectName,
        ...(input.sourceVersion !== undefined && { sourceVersion: String(input.sourceVersion) }),
        phases: [
          { phaseType: "SUBMITTED", phaseStatus: "SUCCEEDED", startTime: Date.now() / 1000 },
          ...(this.startPhase === "SUBMITTED" ? [] : [{ phaseType: this.startPhase, startTime: Date.now() / 1000 }]),
        ],
        ...(this.logGroup && { logs: { groupName: this.logGroup, streamName: id.split(":")[1], cloudWatchLogs: { status: "ENABLED" } } }),
      };
      this.builds.set(id, build);
      if (token) this.tokens.set(token, id);
      return ok({ build });
    },
    BatchGetBuilds: (input) => {
      const ids = input.ids as string[];
      if (ids.length > BATCH_GET_BUILDS_MAX_IDS) return refuse("InvalidInputException", `at most ${BATCH_GET_BUILDS_MAX_IDS} ids`);
      const builds = ids.flatMap((id) => (this.builds.has(id) ? [this.builds.get(id)] : []));
      return ok({ builds, buildsNotFound: ids.filter((id) => !this.builds.has(id)) });
    },
    StopBuild: (input) => {
      const build = this.builds.get(String(input.id));
      if (!build) return refuse("ResourceNotFoundException", "no such build");
      Object.assign(build, { buildStatus: "STOPPED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });
      return ok({ build });
    },
  };
}
