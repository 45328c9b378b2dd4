import { setImmediate as nextTurn } from "node:timers/promises";
import type { WatchAction } from "../../builds/watch/action.js";
import { maskerOf } from "../../builds/watch/masking.js";
import type { WatchObservation } from "../../builds/watch/observation.js";
import { checkRunReport, type CheckRunReport } from "../../builds/watch/report.js";
import { awaitsReport, followBuild, type WatchedBuild } from "../../builds/watch/state.js";
import { watchStep } from "../../builds/watch/step.js";
import { LOG_LINES_MAX } from "../../config/schema.js";
import { systemClock, type Clock } from "../../domain/clock.js";
import type { CheckRunRef } from "../../ports/check-runs.js";
import type { BuildRecord, BuildWatchers } from "../../ports/build-records.js";
import { holdingOf } from "../../replicas/holding.js";
import type { Replica } from "../../replicas/replica.js";
import type { AddMaskState } from "../../variables/add-masks.js";
import { openAddMasks, repositorySecretIds, secretsToMask } from "../builds/build-masking.js";
import type { Dependencies } from "../dependencies.js";
import { LogReadBudget } from "./log-budget.js";
import { buildLogUrl } from "../../checks/log-url.js";
import { deploymentReporting, reportStatus, type DeploymentReporting } from "../deployments/report.js";

/** Completions remembered against stale listings; far more than builds finish within one tick. */
const REMEMBERED_COMPLETIONS = 10_000;
/** Builds taken over or given up at once, so a thousand builds do not wait on one another's writes. */
const WATCHER_WRITES_AT_ONCE = 25;

/** What the watcher reaches the world through. */
export type WatcherDependencies = Pick<
  Dependencies,
  | "settings"
  | "runner"
  | "records"
  | "variables"
  | "secretValues"
  | "seal"
  | "logMasking"
  | "logs"
  | "logStore"
  | "checkRuns"
  | "deployments"
  | "deploymentComments"
  | "metrics"
  | "log"
>;

/** How this watcher shares builds with other replicas. */
export interface WatcherSharing {
  watchers: BuildWatchers;
  /** This process among the replicas: its name on the builds it watches, and what it knows of the others. */
  replica: Replica;
}

/** A build followed here: its state, as the step keeps it, and what sealing its `::add-mask::` values gave last. */
interface Followed {
  state: WatchedBuild;
  sealed: { addMasks: AddMaskState; text: string | undefined };
}

/**
 * Follows every running build it watches (SPEC 8: one replica per build), as a loop around the pure
 * step of src/builds/watch: one BatchGetBuilds round per tick for all of them (the runner batches by
 * 100), their logs read through one budget, their check runs reported through the check-run port,
 * which keeps each installation's write budget. The step decides; this loop reads, writes and keeps
 * time. Builds are found in the table, so a restarted process picks up where the last one stopped,
 * and a replica that died leaves its builds to the others as soon as its heartbeat ran out
 * (src/replicas): keeping a build costs no write.
 */
export class BuildWatcher {
  private readonly followed = new Map<string, Followed>();
  private readonly logBudget: LogReadBudget;
  /** The GitHub deployments of the builds followed (`deployment: true`). */
  private readonly reporting: DeploymentReporting;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** Cancels the round due when a replica watching builds is found gone. */
  private cancelDeathRound: (() => void) | undefined;
  /** Log reads under way, each until its build's log is read as far as it goes. */
  private readonly reads = new Set<Promise<void>>();
  /** Actions under way that nobody awaits (stores, completions recorded). */
  private readonly busy = new Set<Promise<void>>();
  /** The running builds the last round looked at (its `only` applied), and the ones a pass completed. */
  private matched: string[] = [];
  private readonly completedInPass = new Set<string>();
  /** Builds this process completed, most recent last: a listing read before a completion was recorded must not bring them back. */
  private readonly completedHere = new Set<string>();
  private passing = false;
  /** During a pass: the builds it is for (deployment or build ids). */
  private only: Set<string> | undefined;

  constructor(
    private readonly deps: WatcherDependencies,
    private readonly sharing: WatcherSharing,
    private readonly clock: Clock = systemClock,
  ) {
    this.logBudget = new LogReadBudget({ ratePerSecond: deps.settings.logsRps, clock });
    this.reporting = deploymentReporting(deps);
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
    await inBatches(held, (id) =>
      watchers.release(id, replica.id).catch((err: unknown) => this.deps.log.warn({ err, deploymentId: id }, "giving a build up failed")),
    );
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
      await untilEmpty(this.reads);
      for (const id of this.followed.keys()) this.inBackground(this.observe(id, { kind: "tick" }), id);
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
   * Waits for log reads, check-run writes and what follows them, until nothing is under way: a
   * build given back before its completion is recorded would let another replica complete the run again.
   */
  private async settle(): Promise<void> {
    do {
      await untilEmpty(this.reads);
      await this.deps.checkRuns.drain();
      await untilEmpty(this.busy);
    } while (this.reads.size > 0 || this.busy.size > 0);
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
      await this.refreshMasks();
      for (const id of this.followed.keys()) this.inBackground(this.observe(id, { kind: "round" }), id);
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
      const id = record.deploymentId;
      // A listing taken before this process recorded a completion still shows the build running.
      if (this.completedHere.has(id)) continue;
      const holding = holdingOf(record.watchedBy, replica.id, liveness, now);
      if (holding === "held") {
        othersWatching.add(record.watchedBy!);
        this.inBackground(this.observe(id, { kind: "heldElsewhere" }), id);
      } else if (!this.followed.has(id)) {
        joining.push(record);
      } else if (record.supersededBy !== undefined) {
        // A listing may lag behind this replica's own takeover: what it follows stays followed.
        this.inBackground(this.observe(id, { kind: "superseded", by: record.supersededBy }), id);
      }
    }
    // Should a replica watching builds die, a round takes its builds over as soon as its heartbeat ran out.
    this.cancelDeathRound?.();
    if (this.timer) this.cancelDeathRound = replica.whenGone(othersWatching, () => void this.tick());
    await inBatches(joining, async (record) => {
      const mine = record.watchedBy === replica.id;
      if (!mine && !(await watchers.takeOver(record.deploymentId, record.watchedBy, replica.id))) return;
      if (!mine && record.watchedBy !== undefined)
        this.deps.log.info({ deploymentId: record.deploymentId, from: record.watchedBy }, "build taken over from a replica that is gone");
      // Completed while the takeover was being written: the listing is stale, and following it again would complete the run twice.
      if (this.followed.has(record.deploymentId) || this.completedHere.has(record.deploymentId)) return;
      const resumed = await this.resume({ ...record, watchedBy: replica.id });
      if (!this.completedHere.has(record.deploymentId)) this.followed.set(record.deploymentId, resumed);
    });
  }

  /**
   * A build followed from its record: after a restart or a takeover, the excerpt starts from the
   * log already stored, and reading goes on from the record's cursor; the values the build hid
   * before (in another process, or an earlier Lambda pass) hide it from the start.
   */
  private async resume(record: BuildRecord): Promise<Followed> {
    const addMasks = openAddMasks(this.deps.seal, record);
    const tail = record.logCursor === undefined ? [] : await this.deps.logStore.tail(record.deploymentId, LOG_LINES_MAX);
    const { settings } = this.deps;
    const state = followBuild(
      record,
      { addMasks, tail },
      { updateIntervalMs: settings.checkUpdateIntervalMs, logUrl: buildLogUrl(settings.publicUrl, record.deploymentId) },
    );
    const followed: Followed = { state, sealed: { addMasks, text: record.sealedAddMasks } };
    this.deps.logMasking.follow(record.deploymentId, { mask: (text) => maskerOf(followed.state.masking).mask(text) });
    return followed;
  }

  private async refreshStates(): Promise<void> {
    const unfinished = [...this.followed.values()].filter((f) => awaitsReport(f.state)).map((f) => f.state.record);
    if (unfinished.length === 0) return;
    const snapshots = new Map((await this.deps.runner.get(unfinished.map((r) => r.buildId!))).map((s) => [s.id, s]));
    for (const record of unfinished) {
      const snapshot = snapshots.get(record.buildId!);
      if (snapshot) await this.observe(record.deploymentId, { kind: "reported", snapshot });
    }
  }

  /** The secrets chosen to hide each build's text (secretsToMask), values changed meanwhile too: one stored-secrets read per repository per round. */
  private async refreshMasks(): Promise<void> {
    const repositories = new Set([...this.followed.values()].map((f) => f.state.record.repository.id));
    const stored = new Map(await Promise.all([...repositories].map(async (id) => [id, await repositorySecretIds(this.deps.variables, id)] as const)));
    for (const [id, { state }] of this.followed) {
      const { record } = state;
      const secretIds = secretsToMask(record, stored.get(record.repository.id) ?? []);
      if (secretIds.length === 0) continue;
      const values = await this.deps.secretValues.valuesOf(secretIds, Date.parse(record.createdAt));
      await this.observe(id, { kind: "secrets", values });
    }
  }

  /** Tells the step, and does what it answers, in order; rejects when an action failed (the rest of them are not done). */
  private async observe(deploymentId: string, observation: WatchObservation): Promise<void> {
    const followed = this.followed.get(deploymentId);
    if (!followed) return;
    const { build, actions } = watchStep(followed.state, observation, this.clock.now());
    followed.state = build;
    for (const action of actions) await this.perform(followed, action);
  }

  private async perform(followed: Followed, action: WatchAction): Promise<void> {
    const { deploymentId } = followed.state.record;
    switch (action.kind) {
      case "storeRecord":
        return this.storeRecord(followed, action.record, action.addMasks);
      case "storeLog":
        return this.storeLog(deploymentId, action);
      case "readLog":
        return this.track(this.reads, this.readLog(deploymentId, action));
      case "updateCheckRun":
      case "completeCheckRun":
        return this.report(followed, action.report);
      case "recordCompletion":
        return this.recordCompletion(followed, action);
      case "reportDeployment": {
        const { record, masking } = followed.state;
        const reported = reportStatus(
          { ...record, deployment: action.deployment },
          action.status,
          maskerOf(masking),
          action.final ? "completion" : "progress",
          this.reporting,
        );
        return action.final ? reported : this.inBackground(reported, deploymentId);
      }
      case "stopFollowing":
        if (action.reason === "completed") this.completed(deploymentId);
        return this.forget(deploymentId);
    }
  }

  /** The record as the step has it, with the build's `::add-mask::` values sealed in it (again only when they changed). */
  private async storeRecord(followed: Followed, record: BuildRecord, addMasks: AddMaskState): Promise<void> {
    if (addMasks !== followed.sealed.addMasks) followed.sealed = { addMasks, text: this.deps.seal.seal(record.deploymentId, addMasks) };
    const { text } = followed.sealed;
    await this.deps.records.put({ ...record, ...(text !== undefined && { sealedAddMasks: text }) });
  }

  /** A read's lines stored, then the read goes on (one build's output never holds up the rest of the app for more than a page). */
  private async storeLog(deploymentId: string, { lines, cursor, atEnd }: Extract<WatchAction, { kind: "storeLog" }>): Promise<void> {
    try {
      if (lines.length > 0) await this.deps.logStore.append(deploymentId, lines);
      await nextTurn();
      await this.observe(deploymentId, { kind: "logStored", lines: lines.length, cursor, atEnd });
    } catch (err) {
      this.deps.log.warn({ err, deploymentId }, "reading the build log failed");
      await this.observe(deploymentId, { kind: "logUnread" });
    }
  }

  /** One page of the log, in the build's turn among all reads (LOGS_RPS). */
  private async readLog(deploymentId: string, { location, cursor, priority }: Extract<WatchAction, { kind: "readLog" }>): Promise<void> {
    try {
      if (!(await this.logBudget.request(deploymentId, priority))) return await this.observe(deploymentId, { kind: "logUnread" });
      let page;
      try {
        page = await this.deps.logs.read(location, cursor);
        this.logBudget.succeeded();
      } catch (error) {
        if ((error as Error).name !== "LogsThrottledError") throw error;
        this.logBudget.backOff();
        return await this.observe(deploymentId, { kind: "logUnread" });
      }
      await this.observe(deploymentId, { kind: "logRead", events: page.events, cursor: page.cursor, atEnd: page.atEnd });
    } catch (err) {
      this.deps.log.warn({ err, deploymentId }, "reading the build log failed");
      await this.observe(deploymentId, { kind: "logUnread" }).catch(() => undefined);
    }
  }

  /** Hands a report to the check-run port; when its turn comes it goes as the build stands then. */
  private report(followed: Followed, report: CheckRunReport): void {
    const { record } = followed.state;
    const id = record.deploymentId;
    const run: CheckRunRef = {
      installationId: record.installationId,
      owner: record.repository.owner,
      repo: record.repository.name,
      checkRunId: record.checkRunId,
    };
    const written = this.deps.checkRuns
      .report(run, report, {
        // Rendered again when its turn comes, so lines read while it waited go out with it.
        fresher: () => {
          const now = this.followed.get(id);
          return now && checkRunReport(now.state, this.clock.now());
        },
        sent: (content) => this.inBackground(this.observe(id, { kind: "reportSent", report: content }), id),
      })
      .then((outcome) => {
        if (outcome.status === "failed") return this.observe(id, { kind: "reportFailed", report });
        if (outcome.status === "dropped") return this.observe(id, { kind: "reportDropped" });
      });
    this.inBackground(written, id);
  }

  private async recordCompletion(followed: Followed, { record, addMasks, conclusion }: Extract<WatchAction, { kind: "recordCompletion" }>): Promise<void> {
    const id = record.deploymentId;
    try {
      await this.storeRecord(followed, record, addMasks);
    } catch (err) {
      this.deps.log.warn({ err, deploymentId: id }, "recording a completed build failed");
      return this.observe(id, { kind: "completionUnrecorded" });
    }
    this.deps.metrics.buildCompleted(conclusion);
    await this.observe(id, { kind: "completionRecorded" });
  }

  private completed(deploymentId: string): void {
    if (this.passing) this.completedInPass.add(deploymentId);
    this.completedHere.add(deploymentId);
    if (this.completedHere.size > REMEMBERED_COMPLETIONS) this.completedHere.delete(this.completedHere.values().next().value!);
  }

  private forget(deploymentId: string): void {
    if (!this.followed.delete(deploymentId)) return;
    this.deps.logMasking.forget(deploymentId);
    this.logBudget.forget(deploymentId);
  }

  /** Work nobody awaits: waited for by `settle`, its failure logged. */
  private inBackground(work: Promise<unknown>, deploymentId: string): void {
    this.track(
      this.busy,
      work.then(
        () => undefined,
        (err: unknown) => this.deps.log.warn({ err, deploymentId }, "following a build failed"),
      ),
    );
  }

  private track(set: Set<Promise<void>>, work: Promise<void>): void {
    set.add(work);
    const done = () => void set.delete(work);
    work.then(done, done);
  }
}

/** Resolves once every promise in `set`, including ones added meanwhile, has settled. */
async function untilEmpty(set: ReadonlySet<Promise<void>>): Promise<void> {
  while (set.size > 0) await Promise.allSettled([...set]);
}

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += WATCHER_WRITES_AT_ONCE) await Promise.all(items.slice(i, i + WATCHER_WRITES_AT_ONCE).map(each));
}
