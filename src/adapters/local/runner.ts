import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { RepositorySource } from "../../ports/repository-source.js";
import type { BuildSnapshot, StartBuildRequest } from "../../domain/build.js";
import { StartBuildError } from "../../domain/build.js";
import { formatDuration } from "../../checks/duration.js";
import { buildDirectory, buildLogFile, readBuildState, writeBuildState } from "./build-files.js";
import { commandFailureMessage, containerLine, parseScriptRecord, SCRIPT_CHANNEL_FD, type ScriptRecord } from "./build-script.js";
import {
  endPhase,
  enterPhase,
  exportVariable,
  finishBuild,
  leftQueue,
  notePhaseFailure,
  queuedBuild,
  runningPhase,
  submittedBuild,
  toSnapshot,
  type LocalBuild,
  type PhaseStatus,
} from "./build-state.js";
import { removeTree, type BuildUser } from "./build-user.js";
import { BUILDSPEC_PHASES, type Buildspec } from "./buildspec.js";
import { downloadSource, type PreparedBuild } from "./download-source.js";
import { LocalLogWriter } from "./local-logs.js";
import { processStartTicks, signalGroup } from "./process-group.js";
import type { BuildSandbox, SandboxedShell } from "./sandbox/sandbox.js";
import type { BuildRunner } from "../../ports/build-runner.js";

/** CodeBuild's build timeout when none is set (60 minutes, CodeBuild user guide). */
export const DEFAULT_TIMEOUT_MINUTES = 60;
/** How long a stopped or timed-out build's processes get between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 10_000;
/**
 * How long an ended build's state and log stay in DATA_DIR/builds: the watcher reads them until the
 * build's check run completes, which takes seconds unless the app was down meanwhile.
 */
export const ENDED_BUILD_RETENTION_MS = 24 * 60 * 60_000;
/** Ended builds' files are looked for at most this often (and at start-up). */
const SWEEP_INTERVAL_MS = 60 * 60_000;
/** CodeBuild answers a repeated idempotencyToken with the same build for 5 minutes (StartBuild API reference). */
const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;
/** After the shell ends, output that processes it left behind still hold is waited for this long. */
const OUTPUT_DRAIN_MS = 5_000;
/** The name of a build's temporary directory (mkdtemp's six characters after it). */
const WORKSPACE_NAME = /^codebuild-checks-[A-Za-z0-9]{6}$/;

const UNTRUSTED_REFUSAL =
  "This build is untrusted (a pull request from a fork or from a bot), and the local runner never builds untrusted code: " +
  "it runs builds on the app's own machine, next to the app and its secrets. Build untrusted pull requests with CodeBuild " +
  "(RUNNER=codebuild and CODEBUILD_UNTRUSTED_ROLE), or push the commit to a branch of this repository.";
const APP_RESTARTED =
  "The app restarted during the build: the local runner cannot follow a build begun before it started, so the build was ended. Run it again.";
const APP_STOPPED = "The app stopped during the build, which ended it. Run it again.";

export interface LocalRunnerOptions {
  /** DATA_DIR: builds' states and logs are kept under its builds/ directory. */
  dataDir: string;
  /** How builds are kept from the app and from each other (LOCAL_ISOLATION). */
  sandbox: BuildSandbox;
  /** Where a build's repository is fetched from, and with what token: GitHub, by the repository's id. */
  source: RepositorySource;
  /** The value of a secret that a SECRETS_MANAGER variable names, or undefined when there is no such secret. */
  secretValue: (name: string) => Promise<string | undefined>;
  /** Builds that run at once (LOCAL_CONCURRENCY); the others wait, queued. */
  concurrency: number;
  log: Logger;
  now?: () => number;
  /** Where checkouts are made: the system's temporary directory by default. */
  workRoot?: string;
  /** The git executable. */
  git?: string;
  /** Replaces the request's timeoutMinutes (tests). */
  timeoutMs?: number;
  stopGraceMs?: number;
}

/** A build of this process, from start() until its end is written down. */
interface RunningBuild {
  state: LocalBuild;
  readonly abort: AbortController;
  readonly log: LocalLogWriter;
  /** Who it runs as (null: the app's own user), held from start() to its end. */
  readonly user: BuildUser | null;
  interruption?: { status: "STOPPED" | "TIMED_OUT" | "FAULT"; message: string };
  shell?: SandboxedShell;
  /** The command the shell runs now, for the message when it ends the shell. */
  command?: string;
  scriptDone: boolean;
  saving: Promise<void>;
  finished?: Promise<void>;
  /** While it waits for a free slot: gives it one (true), or tells it that it will not run (false). */
  waiting?: (runs: boolean) => void;
}

interface ShellExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs builds on this machine (embedded mode, SPEC 9): the commit fetched into a fresh directory, the
 * buildspec's phases run by one bash process in the build's sandbox, the log kept where
 * LocalLogSource reads it, and the build reported as CodeBuild reports one, so that check runs and
 * the log page do not know the difference. At most `concurrency` builds run at once; the others wait
 * in CodeBuild's QUEUED phase, first come first served.
 */
export class LocalRunner implements BuildRunner {
  private readonly running = new Map<string, RunningBuild>();
  /** Builds being started: their files are being written, so the sweep leaves them alone. */
  private readonly starting = new Set<string>();
  private readonly recovering = new Map<string, Promise<LocalBuild>>();
  private readonly tokens = new Map<string, { id: string; at: number }>();
  private readonly queue: RunningBuild[] = [];
  private active = 0;
  private lastSweep = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly workRoot: string;

  constructor(private readonly options: LocalRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.workRoot = resolve(options.workRoot ?? tmpdir());
  }

  async start(request: StartBuildRequest): Promise<{ id: string }> {
    if (request.noCache || request.serviceRole !== undefined) throw new StartBuildError(UNTRUSTED_REFUSAL, "Untrusted builds do not run on this machine");
    for (const [token, started] of this.tokens) if (this.now() - started.at >= IDEMPOTENCY_WINDOW_MS) this.tokens.delete(token);
    const earlier = this.tokens.get(request.idempotencyToken);
    if (earlier) return { id: earlier.id };
    let user: BuildUser | null;
    try {
      user = await this.options.sandbox.userFor();
    } catch (error) {
      throw new StartBuildError((error as Error).message, "No user to run the build as");
    }

    const id = `local:${randomUUID()}`;
    const waits = this.active >= this.options.concurrency;
    const reason = waitingReason(this.options.concurrency);
    const state = waits ? queuedBuild(id, this.date(), reason) : submittedBuild(id, this.date());
    this.starting.add(id);
    try {
      await writeBuildState(this.options.dataDir, state);
    } catch (error) {
      this.options.sandbox.release(user);
      throw error;
    } finally {
      this.starting.delete(id);
    }
    this.tokens.set(request.idempotencyToken, { id, at: this.now() });
    const log = new LocalLogWriter(buildLogFile(buildDirectory(this.options.dataDir, id)!), this.now);
    const build: RunningBuild = { state, abort: new AbortController(), log, user, scriptDone: false, saving: Promise.resolve() };
    this.running.set(id, build);
    if (waits) log.line(containerLine(this.date(), `Waiting for a free build slot: ${reason}`));
    build.finished = this.slot(build)
      .then((runs) => (runs ? this.launch(build, request) : this.finish(build, undefined)))
      .finally(() => {
        this.running.delete(id);
        this.options.sandbox.release(user);
        if (this.now() - this.lastSweep >= SWEEP_INTERVAL_MS) void this.sweep();
      });
    this.options.log.info({ buildId: id, project: request.projectName, queued: waits }, "local build started");
    return { id };
  }

  async get(ids: string[]): Promise<BuildSnapshot[]> {
    const snapshots: BuildSnapshot[] = [];
    for (const id of ids) {
      const build = await this.current(id);
      if (build) snapshots.push(toSnapshot(build));
    }
    return snapshots;
  }

  /** Stops every process of the build; it reports STOPPED once they are gone. A queued build ends at once. */
  async stop(id: string): Promise<void> {
    const build = this.running.get(id);
    if (build) return this.interrupt(build, { status: "STOPPED", message: "Build stopped" });
    if (!(await this.current(id))) throw new Error(`There is no local build ${id} to stop`);
  }

  /** Ends every running build (the app is stopping: no one would follow them); each reports FAULT. */
  async close(): Promise<void> {
    const builds = [...this.running.values()];
    for (const build of builds) this.interrupt(build, { status: "FAULT", message: APP_STOPPED });
    await Promise.all(builds.map((build) => build.finished));
  }

  /**
   * What is left of earlier builds in DATA_DIR/builds (at start-up, and now and then): a build an
   * earlier run of the app left running is ended as FAULT and its workspace removed; the files of a
   * build that ended more than ENDED_BUILD_RETENTION_MS ago, and whatever is not a build's, are removed.
   */
  async sweep(): Promise<void> {
    this.lastSweep = this.now();
    const root = join(this.options.dataDir, "builds");
    const names = await readdir(root).catch(() => [] as string[]);
    for (const name of names) {
      const id = `local:${name}`;
      try {
        if (this.running.has(id) || this.starting.has(id)) continue;
        const stored = buildDirectory(this.options.dataDir, id) === undefined ? undefined : await readBuildState(this.options.dataDir, id);
        if (stored?.status === "IN_PROGRESS") await this.current(id);
        else if (stored === undefined || this.now() - Date.parse(stored.endTime ?? stored.startTime) >= ENDED_BUILD_RETENTION_MS)
          await removeTree(join(root, name));
      } catch (err) {
        this.options.log.warn({ err, buildId: id }, "cleaning up an earlier local build failed");
      }
    }
  }

  /** A slot for the build now, or once one frees up; false when it was stopped while it waited. */
  private slot(build: RunningBuild): Promise<boolean> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise((runs) => {
      build.waiting = runs;
      this.queue.push(build);
    });
  }

  /** The slot of a build that ended goes to the build that has waited longest. */
  private freeSlot(): void {
    const next = this.queue.shift();
    if (!next) {
      this.active--;
      return;
    }
    const runs = next.waiting!;
    next.waiting = undefined;
    runs(true);
  }

  /** The build has its slot: out of the queue, its timeout counting from now (CodeBuild does not count queued time). */
  private async launch(build: RunningBuild, request: StartBuildRequest): Promise<void> {
    if (runningPhase(build.state)?.name === "QUEUED") this.update(build, (state) => leftQueue(state, this.date()));
    const timeoutMs = this.options.timeoutMs ?? (request.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000;
    const timer = setTimeout(() => this.interrupt(build, { status: "TIMED_OUT", message: timedOutMessage(timeoutMs) }), timeoutMs).unref();
    try {
      let exit: ShellExit | undefined;
      try {
        const prepared = await this.downloadSource(build, request);
        if (prepared && !build.interruption) exit = await this.runShell(build, prepared);
      } catch (error) {
        this.options.log.error({ err: error, buildId: build.state.id }, "the local runner failed");
        build.interruption ??= { status: "FAULT", message: `The local runner failed: ${(error as Error).message}` };
      }
      await this.finish(build, exit);
    } finally {
      clearTimeout(timer);
      this.freeSlot();
    }
  }

  /** The build's end: its last log lines, its state written down, then its workspace removed. */
  private async finish(build: RunningBuild, exit: ShellExit | undefined): Promise<void> {
    const ended = this.ending(build, exit);
    // The end is reported once the log is complete: the watcher reads it to the end after that.
    await build.log.close().catch((err: unknown) => this.options.log.warn({ err }, "closing a build log failed"));
    const workspace = build.state.workspace;
    // Reported once written down, so that a restarted app finds the build as it was reported.
    await this.save(build, ended);
    build.state = ended;
    if (workspace) await removeTree(workspace).catch((err: unknown) => this.options.log.warn({ err }, "removing a build's workspace failed"));
    this.options.log.info({ buildId: ended.id, status: ended.status }, "local build ended");
  }

  /** A build as it stands; one of an earlier run of the app that was still running is ended as FAULT. */
  private async current(id: string): Promise<LocalBuild | undefined> {
    const running = this.running.get(id);
    if (running) return running.state;
    const stored = await readBuildState(this.options.dataDir, id);
    if (stored?.status !== "IN_PROGRESS") return stored;
    let recovery = this.recovering.get(id);
    if (!recovery) {
      recovery = this.endOrphan(stored).finally(() => this.recovering.delete(id));
      this.recovering.set(id, recovery);
    }
    return recovery;
  }

  private async endOrphan(stored: LocalBuild): Promise<LocalBuild> {
    // Its sandbox ends with the app that started it; without one, its shell may outlive the app.
    if (stored.process?.startTicks !== undefined && (await processStartTicks(stored.process.pid)) === stored.process.startTicks) {
      signalGroup(stored.process.pid, "SIGKILL");
    }
    const ended = finishBuild(stored, this.date(), { status: "FAULT", phaseStatus: "FAULT", message: APP_RESTARTED });
    const log = new LocalLogWriter(buildLogFile(buildDirectory(this.options.dataDir, stored.id)!), this.now);
    log.line(containerLine(this.date(), `Phase complete: ${runningPhase(stored)?.name ?? "BUILD"} State: FAULT`));
    log.line(containerLine(this.date(), `Phase context status code: CLIENT_ERROR Message: ${APP_RESTARTED}`));
    await log.close();
    await writeBuildState(this.options.dataDir, ended);
    if (stored.workspace && this.isWorkspace(stored.workspace)) {
      await removeTree(stored.workspace).catch((err: unknown) => this.options.log.warn({ err }, "removing an ended build's workspace failed"));
    }
    this.options.log.warn({ buildId: stored.id }, "a local build begun before the app restarted was ended");
    return ended;
  }

  /** Whether a path read back from a build's state is one of this runner's workspaces: the only thing it removes. */
  private isWorkspace(path: string): boolean {
    return dirname(path) === this.workRoot && WORKSPACE_NAME.test(basename(path));
  }

  /** DOWNLOAD_SOURCE, reported as CodeBuild does; undefined when it failed or the build was interrupted. */
  private async downloadSource(build: RunningBuild, request: StartBuildRequest): Promise<PreparedBuild | undefined> {
    const say = (text: string) => build.log.line(containerLine(this.date(), text));
    const { sandbox } = this.options;
    say("Running on this machine with the local runner of codebuild-checks");
    say("Phase is DOWNLOAD_SOURCE");
    const download = await downloadSource(request, {
      buildId: build.state.id,
      startTime: new Date(build.state.startTime),
      workRoot: this.workRoot,
      git: this.options.git ?? "git",
      source: () => this.options.source({ installationId: request.installationId, repositoryId: request.repositoryId }),
      secretValue: this.options.secretValue,
      seen: (workspace) => sandbox.seen(workspace),
      prepare: (workspace) => sandbox.prepare(workspace, build.user),
      signal: build.abort.signal,
      say,
      made: (workspace) => this.update(build, (state) => ({ ...state, workspace })),
    });
    if (build.interruption) return undefined;
    if (!download.ok) {
      say("Phase complete: DOWNLOAD_SOURCE State: FAILED");
      for (const message of download.messages) say(`Phase context status code: CLIENT_ERROR Message: ${message}`);
      this.update(build, (state) => endPhase(state, "FAILED", this.date(), download.messages));
      return undefined;
    }
    say("Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED");
    say("Phase context status code:  Message: ");
    this.update(build, (state) => endPhase(state, "SUCCEEDED", this.date()));
    return download.build;
  }

  /** INSTALL to POST_BUILD: the script in one bash process in the build's sandbox, its phases followed through the side channel. */
  private async runShell(build: RunningBuild, prepared: PreparedBuild): Promise<ShellExit> {
    const shell = this.options.sandbox.start({ workspace: prepared.workspace, user: build.user, env: prepared.env, stdio: ["ignore", "pipe", "pipe", "pipe"] });
    const child: ChildProcess = shell.child;
    const exited = new Promise<ShellExit & { error?: Error }>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.once("error", (error) => resolve({ code: null, signal: null, error }));
    });
    const outputClosed = once(child, "close").catch(() => undefined);
    child.stdout?.on("data", (chunk: Buffer) => build.log.output(chunk));
    child.stderr?.on("data", (chunk: Buffer) => build.log.output(chunk));
    const channel = createInterface({ input: child.stdio[SCRIPT_CHANNEL_FD] as Readable });
    const channelClosed = once(channel, "close");
    channel.on("line", (line) => this.follow(build, prepared.spec, parseScriptRecord(line)));

    const pid = child.pid;
    if (pid !== undefined) {
      build.shell = shell;
      const startTicks = await processStartTicks(pid);
      this.update(build, (state) => ({ ...state, process: { pid, startTicks } }));
      if (build.interruption) void shell.terminate(this.options.stopGraceMs ?? STOP_GRACE_MS);
    }
    const exit = await exited;
    // What the build left running ends with it, as CodeBuild's container does.
    shell.endLeftovers();
    await Promise.race([Promise.all([outputClosed, channelClosed]), sleep(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (exit.error) throw new Error(`could not start the build's shell: ${exit.error.message}`);
    return exit;
  }

  /**
   * The side channel's record of the script's progress. Records written before a stop can be read
   * after it, so once the build is interrupted its phases still move on as they went, but what the
   * stop itself caused (a failed command, a failed phase) is not taken as the build's own failure.
   */
  private follow(build: RunningBuild, spec: Buildspec, record: ScriptRecord | undefined): void {
    if (!record) return;
    if (build.interruption && !(record.kind === "phase-start" || (record.kind === "phase-end" && record.status === "SUCCEEDED"))) return;
    const at = this.date();
    switch (record.kind) {
      case "phase-start":
        return this.update(build, (state) => enterPhase(state, record.phase, at));
      case "command": {
        const key = BUILDSPEC_PHASES.find(({ name }) => name === runningPhase(build.state)?.name)?.key;
        build.command = key === undefined ? undefined : spec.phases[key][record.block][record.index];
        return;
      }
      case "command-end": {
        const command = build.command;
        build.command = undefined;
        if (record.status !== 0 && command !== undefined)
          this.update(build, (state) => notePhaseFailure(state, commandFailureMessage(command, `exit status ${record.status}`)));
        return;
      }
      case "phase-end":
        return this.update(build, (state) => endPhase(state, record.status, at));
      case "export":
        return this.update(build, (state) => exportVariable(state, record.name, record.value));
      case "done":
        build.scriptDone = true;
    }
  }

  /** The build as it ended: interrupted, its shell ended early, or as its phases went. Its last lines go to the log. */
  private ending(build: RunningBuild, exit: ShellExit | undefined): LocalBuild {
    const { interruption, log } = build;
    const at = this.date();
    if (interruption) {
      const state = withPhaseToEnd(build.state, at);
      const phase = runningPhase(state);
      if (phase) {
        log.line(containerLine(at, `Phase complete: ${phase.name} State: ${interruption.status}`));
        log.line(containerLine(at, `Phase context status code: ${contextCode(interruption.status)} Message: ${interruption.message}`));
      }
      return finishBuild(state, at, { status: interruption.status, phaseStatus: interruption.status, message: interruption.message });
    }
    if (exit && !build.scriptDone) return this.shellEnded(build, exit, at);
    return finishBuild(build.state, at);
  }

  /**
   * The shell ended before the script's end: a command ran `exit`, failed under `set -e`, or the
   * shell was killed. The phase under way fails; between phases, the next one does, unless one failed already.
   */
  private shellEnded(build: RunningBuild, exit: ShellExit, at: Date): LocalBuild {
    const { log } = build;
    if (!runningPhase(build.state) && build.state.phases.some((phase) => phase.status === "FAILED")) return finishBuild(build.state, at);
    const state = withPhaseToEnd(build.state, at);
    const phase = runningPhase(state);
    if (!phase) return finishBuild(state, at);
    const reason = exit.code !== null ? `exit status ${exit.code}` : `signal ${exit.signal}`;
    const message = build.command
      ? `${commandFailureMessage(build.command, reason)} (the command ended the build's shell, so nothing after it ran)`
      : `The build's shell ended unexpectedly (${reason})`;
    if (build.command) log.line(containerLine(at, `Command did not exit successfully ${build.command} ${reason}`));
    log.line(containerLine(at, `Phase complete: ${phase.name} State: FAILED`));
    log.line(containerLine(at, `Phase context status code: COMMAND_EXECUTION_ERROR Message: ${message}`));
    return finishBuild(state, at, { status: "FAILED", phaseStatus: "FAILED", message });
  }

  private interrupt(build: RunningBuild, interruption: NonNullable<RunningBuild["interruption"]>): void {
    if (build.interruption || build.state.status !== "IN_PROGRESS") return;
    build.interruption = interruption;
    build.abort.abort();
    if (build.waiting) {
      this.queue.splice(this.queue.indexOf(build), 1);
      const runs = build.waiting;
      build.waiting = undefined;
      runs(false);
    }
    if (build.shell) void build.shell.terminate(this.options.stopGraceMs ?? STOP_GRACE_MS);
  }

  private update(build: RunningBuild, change: (state: LocalBuild) => LocalBuild): void {
    build.state = change(build.state);
    void this.save(build);
  }

  /** Writes the build's state as it is now, after the writes before it. */
  private save(build: RunningBuild, state: LocalBuild = build.state): Promise<void> {
    build.saving = build.saving
      .then(() => writeBuildState(this.options.dataDir, state))
      .catch((err: unknown) => this.options.log.warn({ err, buildId: build.state.id }, "writing a local build's state failed"));
    return build.saving;
  }

  private date(): Date {
    return new Date(this.now());
  }
}

/** Why a queued build waits: its check run's title says it (SPEC 1, LOCAL_CONCURRENCY). */
function waitingReason(concurrency: number): string {
  return `LOCAL_CONCURRENCY=${concurrency} ${concurrency === 1 ? "build runs" : "builds run"} at once on this machine`;
}

/** The phase under way, or else the buildspec's next phase, entered now: the phase that reports an early end. */
function withPhaseToEnd(state: LocalBuild, at: Date): LocalBuild {
  if (runningPhase(state)) return state;
  const next = BUILDSPEC_PHASES.find(({ name }) => !state.phases.some((phase) => phase.name === name));
  return next ? enterPhase(state, next.name, at) : state;
}

function timedOutMessage(timeoutMs: number): string {
  return `Build timed out after ${formatDuration(timeoutMs / 1000)}: raise timeout_minutes in .github/codebuild.yml, or make the build faster`;
}

/** The status code CodeBuild gives a phase's context for each way of ending early. */
function contextCode(status: PhaseStatus): string {
  return status === "TIMED_OUT" ? "BUILD_TIMED_OUT" : status === "STOPPED" ? "BUILD_STOPPED" : "CLIENT_ERROR";
}
