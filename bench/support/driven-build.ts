import type { FakeCloudWatchLogs } from "../../test/support/fake-cloudwatch-logs.js";
import type { FakeCodeBuild, FakePhase } from "../../test/support/fake-codebuild.js";
import { LOG_GROUP } from "./bench-app.js";
import { lineMarker, type WrittenLine } from "./freshness.js";

/** CodeBuild's phases before COMPLETED, in order: ten of them. */
export const BUILD_PHASES = [
  "SUBMITTED",
  "QUEUED",
  "PROVISIONING",
  "DOWNLOAD_SOURCE",
  "INSTALL",
  "PRE_BUILD",
  "BUILD",
  "POST_BUILD",
  "UPLOAD_ARTIFACTS",
  "FINALIZING",
] as const;

const SOURCE_VERSION_SHA = /\^\{([0-9a-f]{40})\}$/;

/**
 * A build in the fake CodeBuild that the benchmark moves through its phases and whose log it
 * writes, a numbered line at a time, remembering when each was written.
 */
export class DrivenBuild {
  readonly lines: WrittenLine[] = [];
  endedAt: number | undefined;
  private readonly phases: FakePhase[] = [];

  constructor(
    private readonly codebuild: FakeCodeBuild,
    private readonly logs: FakeCloudWatchLogs,
    readonly id: string,
    readonly sha: string,
    /** Short and unique: it is in every line's marker. */
    readonly tag: string,
  ) {
    const build = codebuild.builds.get(id)!;
    this.phases.push(...build.phases.map((p) => ({ ...p })));
  }

  get stream(): string {
    return this.id.split(":")[1]!;
  }

  get running(): boolean {
    return this.endedAt === undefined;
  }

  /** Builds the app has started since `known` were found, in the order it started them. */
  static findNew(codebuild: FakeCodeBuild, logs: FakeCloudWatchLogs, known: ReadonlyMap<string, DrivenBuild>): DrivenBuild[] {
    const starts = codebuild.calls("StartBuild");
    return [...codebuild.builds.keys()].flatMap((id, i) => {
      if (known.has(id)) return [];
      const sha = SOURCE_VERSION_SHA.exec(String(starts[i]?.sourceVersion ?? ""))?.[1];
      if (!sha) throw new Error(`StartBuild of ${id} names no commit`);
      return [new DrivenBuild(codebuild, logs, id, sha, `b${i}`)];
    });
  }

  /** Appends the next numbered line to the build's log. */
  writeLine(): void {
    const seq = this.lines.length;
    const at = Date.now();
    this.lines.push({ seq, at });
    this.logs.append(LOG_GROUP, this.stream, [`${lineMarker(this.tag, seq)} npm run build: compiling module ${seq}\n`], at);
  }

  /** Ends the running phase and starts `phase`, as CodeBuild reports it in BatchGetBuilds. */
  enterPhase(phase: string): void {
    const now = Date.now() / 1000;
    this.endPhase(now);
    this.phases.push({ phaseType: phase, startTime: now });
    this.codebuild.update(this.id, { currentPhase: phase, phases: this.phases.map((p) => ({ ...p })) });
  }

  succeed(): void {
    const now = Date.now();
    this.endPhase(now / 1000);
    this.phases.push({ phaseType: "COMPLETED", startTime: now / 1000 });
    this.codebuild.update(this.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: now / 1000, phases: this.phases.map((p) => ({ ...p })) });
    this.endedAt = now;
  }

  private endPhase(now: number): void {
    const last = this.phases[this.phases.length - 1];
    if (!last || last.endTime !== undefined) return;
    Object.assign(last, { phaseStatus: "SUCCEEDED", endTime: now, durationInSeconds: Math.round(now - (last.startTime ?? now)) });
  }
}

/**
 * The builds the app starts, found as it starts them and each given a log line every `lineEveryMs`
 * while it runs: steady output.
 */
export class BuildFleet {
  readonly builds = new Map<string, DrivenBuild>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    codebuild: FakeCodeBuild,
    logs: FakeCloudWatchLogs,
    lineEveryMs: number,
    /** Called once for each build, when it is found. */
    onStart: (build: DrivenBuild) => void = () => undefined,
  ) {
    this.timer = setInterval(() => {
      for (const build of DrivenBuild.findNew(codebuild, logs, this.builds)) {
        this.builds.set(build.id, build);
        onStart(build);
      }
      for (const build of this.builds.values()) if (build.running) build.writeLine();
    }, lineEveryMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
