import { setImmediate as nextTurn } from "node:timers/promises";
import { maskedCheckOutput, updateCheckRun, type CheckRunState } from "../../adapters/github/checks.js";
import { nextAnnotationBatch } from "../../checks/annotations/index.js";
import { buildConclusion, checkStatus } from "../../checks/conclusion.js";
import { renderCheckOutput } from "../../checks/render.js";
import type { Dependencies } from "../dependencies.js";
import { systemClock, type Clock } from "../../domain/clock.js";
import { openAddMasks, recordedSnapshot, repositorySecretIds, secretsToMask } from "../builds/build-masking.js";
import { FollowedBuild } from "./followed-build.js";
import { LogReadBudget } from "./log-budget.js";
import type { BuildRecord, BuildWatchers } from "../../ports/build-records.js";
import { LOG_LINES_MAX } from "../../config/schema.js";
import { updateFingerprint, CheckUpdateThrottle } from "./update-throttle.js";
import { holdingOf } from "../../replicas/holding.js";
import type { Replica } from "../../replicas/replica.js";

/** CloudWatch delivers a build's last lines a little after the build ends: reading goes on this long. */
export const LOG_GRACE_MS = 5_000;
/** A finished build's check run completes after this even when its log cannot be read to the end. */
export const LOG_GIVE_UP_MS = 60_000;

/** Completions remembered against stale listings; far more than builds finish within one tick. */
const REMEMBERED_COMPLETIONS = 10_000;
/** Builds taken over or given up at once, so a thousand builds do not wait on one another's writes. */
const WATCHER_WRITES_AT_ONCE = 25;

/** How this watcher shares builds with other replicas. */
export interface WatcherSharing {
  watchers: BuildWatchers;
  /** This process among the replicas: its name on the builds it watches, and what it knows of the others. */
  replica: Replica;
}

/**
 * Follows every running build it watches (SPEC 8: one replica per build): one
 * BatchGetBuilds round per tick for all of them (the runner batches by 100), their logs read
 * incrementally through one budget, and their check runs updated through each installation's
 * write budget — at most once per CHECK_UPDATE_INTERVAL_MS, at once on a phase change,
 * completions first. Builds are found in the table, so a restarted process picks up where the
 * last one stopped, and a replica that died leaves its builds to the others as soon as its
 * heartbeat ran out (src/replicas): keeping a build costs no write.
 */
export class BuildWatcher {
  private readonly followed = new Map<string, FollowedBuild>();
  private readonly logBudget: LogReadBudget;
  private readonly throttle: CheckUpdateThrottle;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** Cancels the round due when a replica watching builds is found gone. */
  private cancelDeathRound: (() => void) | undefined;
  /** Check-run writes submitted and not yet settled (with the record of a completion). */
  private readonly writing = new Set<Promise<void>>();
  /** The running builds the last round looked at (its `only` applied), and the ones a pass completed. */
  private matched: string[] = [];
  private readonly completedInPass = new Set<string>();
  /** Builds this process completed, most recent last: a listing read before a completion was recorded must not bring them back. */
  private readonly completedHere = new Set<string>();
  private passing = false;
  /** During a pass: the builds it is for (deployment or build ids). */
  private only: Set<string> | undefined;

  constructor(
    private readonly deps: Dependencies,
    private readonly sharing: WatcherSharing,
    private readonly clock: Clock = systemClock,
  ) {
    const { settings } = deps;
    this.logBudget = new LogReadBudget({ ratePerSecond: settings.logsRps, clock });
    this.throttle = new CheckUpdateThrottle(settings.checkUpdateIntervalMs, () => clock.now());
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.deps.settings.pollIntervalMs);
  }

  /** Stops ticking; reads and writes under way finish first, then the builds are given up for another replica. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.cancelDeathRound?.();
    await this.ticking;
    this.logBudget.stop();
    await this.settle();
    const { watchers, replica } = this.sharing;
    const held = [...this.followed.keys()];
    this.followed.clear();
    await inBatches(held, (id) => watchers.release(id, replica.id).catch((err: unknown) => this.deps.log.warn({ err, deploymentId: id }, "giving a build up failed")));
  }

  /**
   * One complete round for the builds named (all when none are), for a worker that does not live
   * on between rounds (AWS Lambda): states read, logs read as far as they go, check runs written,
   * then the builds given back. Returns the deployment ids of the builds named that still run.
   */
  async pass(only?: { deploymentIds?: readonly string[]; buildIds?: readonly string[] }): Promise<string[]> {
    this.only = only && new Set([...(only.deploymentIds ?? []), ...(only.buildIds ?? [])]);
    this.completedInPass.clear();
    this.passing = true;
    try {
      await this.tick();
      await Promise.all([...this.followed.values()].map((f) => f.reading));
      for (const build of this.followed.values()) this.report(build);
      await this.settle();
      const held = [...this.followed.keys()];
      for (const id of held) this.forget(id);
      const { watchers, replica } = this.sharing;
      await inBatches(held, (id) => watchers.release(id, replica.id).catch(() => undefined));
      // Builds another worker held this time are still running too: whoever refreshes them goes on.
      return this.matched.filter((id) => !this.completedInPass.has(id));
    } finally {
      this.only = undefined;
      this.passing = false;
    }
  }

  /**
   * Waits for log reads and check-run writes under way, and for completions to be recorded: a build
   * given back before its completion is recorded would let another replica complete the run again.
   */
  private async settle(): Promise<void> {
    await Promise.all([...this.followed.values()].map((f) => f.reading));
    await this.deps.writes.drain();
    await Promise.all(this.writing);
  }

  /** Builds this process follows now. */
  get following(): number {
    return this.followed.size;
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

  /**
   * Builds started since the last round, or whose watcher is gone (stopped, or its heartbeat ran
   * out), join; builds completed elsewhere, or another live replica watches, leave.
   */
  private async follow(): Promise<void> {
    const { replica, watchers } = this.sharing;
    await replica.alive();
    const all = await this.deps.records.listRunning();
    this.deps.metrics.buildsRunning(all.length);
    const only = this.only;
    const running = only ? all.filter((r) => only.has(r.deploymentId) || (r.buildId !== undefined && only.has(r.buildId))) : all;
    this.matched = running.map((r) => r.deploymentId);
    const ids = new Set(running.map((r) => r.deploymentId));
    for (const id of this.followed.keys()) if (!ids.has(id)) this.forget(id);
    const liveness = await replica.liveness(running.map((r) => r.watchedBy));
    const now = this.clock.now();
    const joining: BuildRecord[] = [];
    const othersWatching = new Set<string>();
    for (const record of running) {
      // A listing taken before this process recorded a completion still shows the build running.
      if (this.completedHere.has(record.deploymentId)) continue;
      const holding = holdingOf(record.watchedBy, replica.id, liveness, now);
      const followed = this.followed.get(record.deploymentId);
      if (holding === "held") {
        othersWatching.add(record.watchedBy!);
        if (followed) this.forget(record.deploymentId);
      } else if (followed) {
        // A listing may lag behind this replica's own takeover: what it follows stays followed.
        followed.record = { ...followed.record, supersededBy: record.supersededBy };
      } else {
        joining.push(record);
      }
    }
    // Should a replica watching builds die, a round takes its builds over as soon as its heartbeat ran out.
    this.cancelDeathRound?.();
    if (this.timer) this.cancelDeathRound = replica.whenGone(othersWatching, () => void this.tick());
    await inBatches(joining, async (record) => {
      const mine = record.watchedBy === replica.id;
      if (!mine && !(await watchers.takeOver(record.deploymentId, record.watchedBy, replica.id))) return;
      if (!mine && record.watchedBy !== undefined) this.deps.log.info({ deploymentId: record.deploymentId, from: record.watchedBy }, "build taken over from a replica that is gone");
      // Completed while the takeover was being written: the listing is stale, and following it again would complete the run twice.
      if (this.followed.has(record.deploymentId) || this.completedHere.has(record.deploymentId)) return;
      const resumed = await this.resume({ ...record, watchedBy: replica.id });
      if (!this.completedHere.has(record.deploymentId)) this.followed.set(record.deploymentId, resumed);
    });
  }

  /**
   * A build followed from its record: after a restart or a takeover, the excerpt starts from the
   * log already stored, and reading goes on from the record's cursor.
   */
  private async resume(record: BuildRecord): Promise<FollowedBuild> {
    // The values the build hid before (in another process, or an earlier Lambda pass) hide it from the start.
    const build = new FollowedBuild(record, openAddMasks(this.deps.seal, record));
    if (record.logCursor !== undefined) build.tail = await this.deps.logStore.tail(record.deploymentId, LOG_LINES_MAX);
    this.deps.logMasking.follow(record.deploymentId, build.masker);
    return build;
  }

  private async refreshStates(): Promise<void> {
    const unfinished = [...this.followed.values()].filter((f) => !f.snapshot || f.snapshot.status === "IN_PROGRESS");
    if (unfinished.length === 0) return;
    const snapshots = new Map((await this.deps.runner.get(unfinished.map((f) => f.record.buildId!))).map((s) => [s.id, s]));
    const now = this.clock.now();
    for (const build of unfinished) {
      const reported = snapshots.get(build.record.buildId!);
      if (!reported) continue;
      // CodeBuild's phase messages may quote the build's output: masked before they are kept anywhere.
      const snapshot = recordedSnapshot(reported, build.masker);
      if (updateFingerprint(snapshot) !== updateFingerprint(build.snapshot ?? null)) {
        build.record = { ...build.record, status: snapshot.status, snapshot };
        await this.deps.records.put(build.record);
      }
      build.snapshot = snapshot;
      // From the build's own end when known: a build followed anew (after a restart, or a Lambda
      // invocation) waits out the log's grace period once, not again each time.
      if (snapshot.status !== "IN_PROGRESS") build.finishedSeenAt ??= Math.min(now, snapshot.endTime?.getTime() ?? now);
      if (snapshot.logs?.s3Only) build.logDone = snapshot.status !== "IN_PROGRESS";
    }
  }

  /** The stored secrets of every repository with a followed build: one read per repository per round. */
  private async storedSecretIds(): Promise<Map<number, string[]>> {
    const repositories = new Set([...this.followed.values()].map((b) => b.record.repository.id));
    const lists = await Promise.all([...repositories].map(async (id) => [id, await repositorySecretIds(this.deps.variables, id)] as const));
    return new Map(lists);
  }

  /** The secrets chosen to hide the build's text (secretsToMask) are hidden; values changed meanwhile too. */
  private async refreshMask(build: FollowedBuild, storedSecretIds: string[]): Promise<void> {
    const { record } = build;
    const ids = secretsToMask(record, storedSecretIds);
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
      const { lines, addMasksChanged } = build.acceptLog(page.events, this.clock.now());
      if (lines.length > 0) await this.deps.logStore.append(deploymentId, lines);
      // Kept with the build before the cursor moves past the lines that hid them, so whoever follows next hides them too.
      const sealedAddMasks = addMasksChanged ? this.deps.seal.seal(deploymentId, build.addMasks.state) : build.record.sealedAddMasks;
      build.record = { ...build.record, logCursor: page.cursor, ...(sealedAddMasks !== undefined && { sealedAddMasks }) };
      await this.deps.records.put(build.record);
      if (lines.length > 0) this.report(build);
      // One build's output never holds up the rest of the app (webhooks, pages, other builds) for more than a page.
      await nextTurn();
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
    const written = this.deps.writes
      .forInstallation(record.installationId)
      .submit(key, completion ? "completion" : "progress", async () => {
        // Rendered again when its turn comes, so lines read while it waited go out with it.
        const latest = this.render(build);
        const sent = latest && (latest.state.status === "completed") === completion ? latest : update;
        // An earlier write, rendered when its own turn came, may have sent this very state already.
        if (sent.fingerprint === build.sentFingerprint) return;
        const octokit = await this.deps.github(record.installationId);
        await updateCheckRun(octokit, target, record.checkRunId, sent.state, { ...sent.output, annotations: sent.annotations });
        build.annotationsSent = sent.annotationsBefore + sent.annotations.length;
        build.sentFingerprint = sent.fingerprint;
        this.deps.metrics.checkRunWritten(completion ? "completion" : "progress");
      })
      .then(async (sent) => {
        if (!sent) return this.throttle.forget(key);
        if (!completion || !build.snapshot) return;
        await this.deps.records.put({ ...build.record, status: build.snapshot.status, snapshot: build.snapshot, completed: true });
        this.deps.metrics.buildCompleted(update.conclusion!);
        if (this.passing) this.completedInPass.add(record.deploymentId);
        this.rememberCompleted(record.deploymentId);
        this.forget(record.deploymentId);
      })
      .catch((err: unknown) => this.deps.log.warn({ err, deploymentId: record.deploymentId }, "recording a completed build failed"));
    this.writing.add(written);
    void written.finally(() => this.writing.delete(written));
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
    const rendered = renderCheckOutput({
      build: snapshot,
      logUrl: `${this.deps.settings.publicUrl}/builds/${record.deploymentId}`,
      now,
      logLines: snapshot.logs && !snapshot.logs.s3Only ? build.tail : undefined,
      logLineCount: record.excerptLines,
      variables: record.variables,
      maskingFull: build.addMasks.full,
      ...(record.supersededBy && { supersededBy: record.supersededBy }),
      untrusted: !record.plan.trusted,
    });
    const annotationsBefore = build.annotationsSent;
    // A completion carries every annotation left; progress one request's worth at a time.
    const annotations = conclusion ? build.annotations.all.slice(annotationsBefore) : nextAnnotationBatch([...build.annotations.all], annotationsBefore);
    // Masked last, with every value known by now: what GitHub receives is the final text.
    const { annotations: masked = [], ...output } = maskedCheckOutput(build.masker, { ...rendered, annotations });
    const fingerprint = updateFingerprint({ state, output, annotations: annotationsBefore + annotations.length });
    return { state, output, annotations: masked, annotationsBefore, conclusion, fingerprint, phase: snapshot.currentPhase };
  }

  private rememberCompleted(deploymentId: string): void {
    this.completedHere.add(deploymentId);
    if (this.completedHere.size > REMEMBERED_COMPLETIONS) this.completedHere.delete(this.completedHere.values().next().value!);
  }

  private forget(deploymentId: string): void {
    const build = this.followed.get(deploymentId);
    if (!build) return;
    this.followed.delete(deploymentId);
    this.deps.logMasking.forget(deploymentId);
    this.logBudget.forget(deploymentId);
    this.throttle.forget(String(build.record.checkRunId));
  }
}

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += WATCHER_WRITES_AT_ONCE) await Promise.all(items.slice(i, i + WATCHER_WRITES_AT_ONCE).map(each));
}
