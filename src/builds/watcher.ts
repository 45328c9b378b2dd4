import { updateCheckRun, type CheckRunState } from "../adapters/github/checks.js";
import { buildConclusion, checkStatus } from "../checks/conclusion.js";
import { renderCheckOutput } from "../checks/render.js";
import type { Dependencies } from "../dependencies.js";
import type { BuildRecord } from "./record.js";
import type { BuildSnapshot } from "./runner.js";

/**
 * Follows every running build: one BatchGetBuilds round per tick for all of them
 * (the runner batches by 100), and a check-run update when a build's state or phase changed.
 */
export class BuildWatcher {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly deps: Dependencies) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.deps.settings.pollIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One round; overlapping calls share the round in flight. */
  tick(): Promise<void> {
    this.ticking ??= this.round().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async round(): Promise<void> {
    try {
      const running = await this.deps.records.listRunning();
      if (running.length === 0) return;
      const snapshots = new Map((await this.deps.runner.get(running.map((r) => r.buildId!))).map((s) => [s.id, s]));
      for (const record of running) {
        const snapshot = snapshots.get(record.buildId!);
        if (snapshot) await this.report(record, snapshot).catch((err: unknown) => this.deps.log.warn({ err, deploymentId: record.deploymentId }, "check run update failed"));
      }
    } catch (err) {
      this.deps.log.warn({ err }, "watching builds failed; trying again next tick");
    }
  }

  private async report(record: BuildRecord, build: BuildSnapshot): Promise<void> {
    const conclusion = buildConclusion(build.status);
    if (!conclusion && record.reportedPhase === build.currentPhase) return;
    const now = new Date();
    const output = renderCheckOutput({
      build,
      logUrl: `${this.deps.settings.publicUrl}/builds/${record.deploymentId}`,
      now,
      mask: (text) => text,
      logLineCount: record.excerptLines,
      variables: record.variables,
    });
    const state: CheckRunState = conclusion
      ? { status: "completed", conclusion, completedAt: build.endTime ?? now }
      : checkStatus(build) === "queued"
        ? { status: "queued" }
        : { status: "in_progress", startedAt: build.startTime };
    const octokit = await this.deps.github(record.installationId);
    await updateCheckRun(octokit, { owner: record.repository.owner, repo: record.repository.name }, record.checkRunId, state, output);
    await this.deps.records.put({ ...record, status: build.status, reportedPhase: build.currentPhase, completed: conclusion !== null });
  }
}
