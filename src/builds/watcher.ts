import { updateCheckRun, type CheckRunState } from "../adapters/github/checks.js";
import { nextAnnotationBatch } from "../checks/annotations/index.js";
import { buildConclusion, checkStatus } from "../checks/conclusion.js";
import { renderCheckOutput } from "../checks/render.js";
import type { Dependencies } from "../dependencies.js";
import { systemClock, type Clock } from "./clock.js";
import { FollowedBuild } from "./followed-build.js";
import { LogReadBudget } from "./log-budget.js";
import { updateFingerprint, CheckUpdateThrottle } from "./update-throttle.js";

/** CloudWatch delivers a build's last lines a little after the build ends: reading goes on this long. */
export const LOG_GRACE_MS = 5_000;
/** A finished build's check run completes after this even when its log cannot be read to the end. */
export const LOG_GIVE_UP_MS = 60_000;

/**
 * Follows every running build: one BatchGetBuilds round per tick for all of them (the runner
 * batches by 100), their logs read incrementally through one budget, and their check runs
 * updated through each installation's write budget — at most once per CHECK_UPDATE_INTERVAL_MS,
 * at once on a phase change, completions first.
 */
export class BuildWatcher {
  private readonly followed = new Map<string, FollowedBuild>();
  private readonly logBudget: LogReadBudget;
  private readonly throttle: CheckUpdateThrottle;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly deps: Dependencies,
    private readonly clock: Clock = systemClock,
  ) {
    const { settings } = deps;
    this.logBudget = new LogReadBudget({ ratePerSecond: settings.logsRps, clock });
    this.throttle = new CheckUpdateThrottle(settings.checkUpdateIntervalMs, () => clock.now());
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.deps.settings.pollIntervalMs);
  }

  /** Stops ticking; reads and writes under way finish first. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    this.logBudget.stop();
    await Promise.all([...this.followed.values()].map((f) => f.reading));
    await this.deps.writes.drain();
  }

  /** One round; overlapping calls share the round in flight. */
  tick(): Promise<void> {
    this.ticking ??= this.round().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async round(): Promise<void> {
    const startedAt = this.clock.now();
    try {
      await this.follow();
      await this.refreshStates();
      const storedSecrets = await this.storedSecretIds();
      for (const build of this.followed.values()) {
        await this.refreshMask(build, storedSecrets.get(build.record.repository.id) ?? []);
        this.readLog(build);
        this.report(build);
      }
      this.deps.metrics.watcherTick(startedAt, true);
    } catch (err) {
      this.deps.metrics.watcherTick(startedAt, false);
      this.deps.log.warn({ err }, "watching builds failed; trying again next tick");
    }
  }

  /** Builds started since the last round join; builds completed elsewhere leave. */
  private async follow(): Promise<void> {
    const running = await this.deps.records.listRunning();
    this.deps.metrics.buildsRunning(running.length);
    const ids = new Set(running.map((r) => r.deploymentId));
    for (const id of this.followed.keys()) if (!ids.has(id)) this.forget(id);
    for (const record of running) if (!this.followed.has(record.deploymentId)) this.followed.set(record.deploymentId, new FollowedBuild(record));
  }

  private async refreshStates(): Promise<void> {
    const unfinished = [...this.followed.values()].filter((f) => !f.snapshot || f.snapshot.status === "IN_PROGRESS");
    if (unfinished.length === 0) return;
    const snapshots = new Map((await this.deps.runner.get(unfinished.map((f) => f.record.buildId!))).map((s) => [s.id, s]));
    const now = this.clock.now();
    for (const build of unfinished) {
      const snapshot = snapshots.get(build.record.buildId!);
      if (!snapshot) continue;
      if (updateFingerprint(snapshot) !== updateFingerprint(build.snapshot ?? null)) {
        build.record = { ...build.record, status: snapshot.status, snapshot };
        await this.deps.records.put(build.record);
      }
      build.snapshot = snapshot;
      if (snapshot.status !== "IN_PROGRESS") build.finishedSeenAt ??= now;
      if (snapshot.logs?.s3Only) build.logDone = snapshot.status !== "IN_PROGRESS";
    }
  }

  /** The stored secrets of every repository with a followed build: one read per repository per round. */
  private async storedSecretIds(): Promise<Map<number, string[]>> {
    const repositories = new Set([...this.followed.values()].map((b) => b.record.repository.id));
    const lists = await Promise.all(
      [...repositories].map(async (id) => [id, (await this.deps.variables.list(id)).flatMap((e) => (e.isSecret ? [e.secretId] : []))] as const),
    );
    return new Map(lists);
  }

  /** The build's secrets and the repository's stored ones are hidden; values changed meanwhile too. */
  private async refreshMask(build: FollowedBuild, storedSecretIds: string[]): Promise<void> {
    const { record } = build;
    const ids = [...record.secretIds, ...storedSecretIds];
    if (ids.length === 0) return;
    for (const value of await this.deps.secretValues.valuesOf(ids, Date.parse(record.createdAt))) build.masker.add(value);
  }

  /** Starts reading the build's log, unless a read is under way or nothing is left to read. */
  private readLog(build: FollowedBuild): void {
    if (build.reading || build.logDone) return;
    build.reading = this.readToEnd(build)
      .catch((err: unknown) => this.deps.log.warn({ err, deploymentId: build.record.deploymentId }, "reading the build log failed"))
      .finally(() => (build.reading = undefined));
  }

  private async readToEnd(build: FollowedBuild): Promise<void> {
    const location = build.snapshot?.logs;
    const finished = build.finishedSeenAt !== undefined;
    if (!location?.groupName || !location.streamName || location.s3Only) {
      if (finished && this.clock.now() - build.finishedSeenAt! >= LOG_GRACE_MS) build.logDone = true;
      return;
    }
    const { deploymentId } = build.record;
    for (;;) {
      const finishedNow = build.finishedSeenAt !== undefined;
      if (finishedNow && this.clock.now() - build.finishedSeenAt! >= LOG_GIVE_UP_MS) {
        build.logDone = true;
        return;
      }
      if (!(await this.logBudget.request(deploymentId, { running: !finishedNow, lastOutputAt: build.lastOutputAt }))) return;
      let page;
      try {
        page = await this.deps.logs.read({ groupName: location.groupName, streamName: location.streamName }, build.record.logCursor);
        this.logBudget.succeeded();
      } catch (error) {
        if ((error as Error).name === "LogsThrottledError") {
          this.logBudget.backOff();
          return;
        }
        throw error;
      }
      const lines = build.acceptLog(page.events, this.clock.now());
      if (lines.length > 0) await this.deps.logStore.append(deploymentId, lines);
      build.record = { ...build.record, logCursor: page.cursor };
      await this.deps.records.put(build.record);
      if (lines.length > 0) this.report(build);
      if (page.atEnd) {
        if (finishedNow && this.clock.now() - build.finishedSeenAt! >= LOG_GRACE_MS) {
          build.logDone = true;
          this.report(build);
        }
        return;
      }
    }
  }

  /** Sends the check run's state when due; a finished build completes once its log is read. */
  private report(build: FollowedBuild): void {
    const update = this.render(build);
    if (!update) return;
    const { record } = build;
    const key = String(record.checkRunId);
    const completion = update.state.status === "completed";
    if (!this.throttle.claim(key, { phase: update.phase, completed: completion, fingerprint: update.fingerprint })) return;

    const target = { owner: record.repository.owner, repo: record.repository.name };
    void this.deps.writes
      .forInstallation(record.installationId)
      .submit(key, completion ? "completion" : "progress", async () => {
        // Rendered again when its turn comes, so lines read while it waited go out with it.
        const latest = this.render(build);
        const sent = latest && (latest.state.status === "completed") === completion ? latest : update;
        const octokit = await this.deps.github(record.installationId);
        await updateCheckRun(octokit, target, record.checkRunId, sent.state, { ...sent.output, annotations: sent.annotations });
        build.annotationsSent = sent.annotationsBefore + sent.annotations.length;
        this.deps.metrics.checkRunWritten(completion ? "completion" : "progress");
      })
      .then(async (sent) => {
        if (!sent) return this.throttle.forget(key);
        if (!completion || !build.snapshot) return;
        await this.deps.records.put({ ...build.record, status: build.snapshot.status, snapshot: build.snapshot, completed: true });
        this.deps.metrics.buildCompleted(update.conclusion!);
        this.forget(record.deploymentId);
      })
      .catch((err: unknown) => this.deps.log.warn({ err, deploymentId: record.deploymentId }, "recording a completed build failed"));
  }

  /** The check run's state and output as the build stands; nothing while a finished build's log is still read. */
  private render(build: FollowedBuild) {
    const { snapshot, record } = build;
    if (!snapshot) return undefined;
    const conclusion = buildConclusion(snapshot.status);
    if (conclusion && !build.logDone) return undefined;
    const now = new Date(this.clock.now());
    const state: CheckRunState = conclusion
      ? { status: "completed", conclusion, completedAt: snapshot.endTime ?? now }
      : checkStatus(snapshot) === "queued"
        ? { status: "queued" }
        : { status: "in_progress", startedAt: snapshot.startTime };
    const output = renderCheckOutput({
      build: snapshot,
      logUrl: `${this.deps.settings.publicUrl}/builds/${record.deploymentId}`,
      now,
      mask: (text) => build.masker.mask(text),
      logLines: snapshot.logs && !snapshot.logs.s3Only ? build.tail : undefined,
      logLineCount: record.excerptLines,
      variables: record.variables,
    });
    const annotationsBefore = build.annotationsSent;
    // A completion carries every annotation left; progress one request's worth at a time.
    const annotations = conclusion ? build.annotations.all.slice(annotationsBefore) : nextAnnotationBatch([...build.annotations.all], annotationsBefore);
    const fingerprint = updateFingerprint({ state, output, annotations: annotationsBefore + annotations.length });
    return { state, output, annotations, annotationsBefore, conclusion, fingerprint, phase: snapshot.currentPhase };
  }

  private forget(deploymentId: string): void {
    const build = this.followed.get(deploymentId);
    if (!build) return;
    this.followed.delete(deploymentId);
    this.logBudget.forget(deploymentId);
    this.throttle.forget(String(build.record.checkRunId));
  }
}
