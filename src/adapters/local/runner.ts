import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { BuildRunner, BuildSnapshot, StartBuildRequest } from "../../builds/runner.js";
import { StartBuildError } from "../../builds/runner.js";
import { formatDuration } from "../../checks/duration.js";
import { buildDirectory, buildLogFile, readBuildState, writeBuildState } from "./build-files.js";
import { commandFailureMessage, containerLine, parseScriptRecord, SCRIPT_CHANNEL_FD, type ScriptRecord } from "./build-script.js";
import { endPhase, enterPhase, finishBuild, notePhaseFailure, runningPhase, submittedBuild, toSnapshot, type LocalBuild, type PhaseStatus } from "./build-state.js";
import { removeTree, resolveBuildUser, unreachableBy, type BuildUser } from "./build-user.js";
import { BUILDSPEC_PHASES, type Buildspec } from "./buildspec.js";
import { downloadSource, type PreparedBuild } from "./download-source.js";
import { LocalLogWriter } from "./local-logs.js";
import { processStartTicks, signalGroup, terminateGroup } from "./process-group.js";
import type { LocalRunnerSetup } from "./runner-setup.js";

/** CodeBuild's build timeout when none is set (60 minutes, CodeBuild user guide). */
export const DEFAULT_TIMEOUT_MINUTES = 60;
/** How long a stopped or timed-out build's processes get between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 10_000;
/** CodeBuild answers a repeated idempotencyToken with the same build for 5 minutes (StartBuild API reference). */
const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;
/** After the shell ends, output that processes it left behind still hold is waited for this long. */
const OUTPUT_DRAIN_MS = 5_000;

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
  /** An installation token that can read the repository (contents: read), or undefined to fetch without one. */
  fetchToken: (request: StartBuildRequest) => Promise<string | undefined>;
  /** The value of a secret that a SECRETS_MANAGER variable names, or undefined when there is no such secret. */
  secretValue: (name: string) => Promise<string | undefined>;
  log: Logger;
  /** Who builds run as; null: the app's own user. By default `nobody` when the app runs as root, else the app's user. */
  buildUser?: BuildUser | null;
  now?: () => number;
  /** Where checkouts are made: the system's temporary directory by default. */
  workRoot?: string;
  /** The git and bash executables. */
  git?: string;
  bash?: string;
  /** Replaces the request's timeoutMinutes (tests). */
  timeoutMs?: number;
  stopGraceMs?: number;
}

/** A build of this process, from start() until its end is written down. */
interface RunningBuild {
  state: LocalBuild;
  readonly abort: AbortController;
  interruption?: { status: "STOPPED" | "TIMED_OUT" | "FAULT"; message: string };
  child?: ChildProcess;
  /** The command the shell runs now, for the message when it ends the shell. */
  command?: string;
  scriptDone: boolean;
  saving: Promise<void>;
  finished?: Promise<void>;
}

interface ShellExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs builds on this machine (embedded mode, SPEC 9): the commit fetched into a fresh directory, the
 * buildspec's phases run by one bash process, the log kept where LocalLogSource reads it, and the
 * build reported as CodeBuild reports one, so that check runs and the log page do not know the difference.
 */
export class LocalRunner implements BuildRunner {
  private readonly running = new Map<string, RunningBuild>();
  private readonly recovering = new Map<string, Promise<LocalBuild>>();
  private readonly tokens = new Map<string, { id: string; at: number }>();
  private readonly now: () => number;
  private readonly workRoot: string;
  private buildUser: Promise<BuildUser | null> | undefined;

  constructor(private readonly options: LocalRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.workRoot = options.workRoot ?? tmpdir();
  }

  /** Where and as whom builds run, for the start-up log (describeLocalRunner, localRunnerWarnings). */
  async setup(): Promise<LocalRunnerSetup> {
    const base = { dataDir: this.options.dataDir, workRoot: this.workRoot, appUid: process.getuid?.() };
    try {
      return { ...base, buildUser: await this.user() };
    } catch (error) {
      return { ...base, buildUser: null, problem: (error as Error).message };
    }
  }

  async start(request: StartBuildRequest): Promise<{ id: string }> {
    if (request.noCache || request.serviceRole !== undefined) throw new StartBuildError(UNTRUSTED_REFUSAL, "Untrusted builds do not run on this machine");
    let user: BuildUser | null;
    try {
      user = await this.user();
    } catch (error) {
      throw new StartBuildError((error as Error).message, "No user to run the build as");
    }
    for (const [token, started] of this.tokens) if (this.now() - started.at >= IDEMPOTENCY_WINDOW_MS) this.tokens.delete(token);
    const earlier = this.tokens.get(request.idempotencyToken);
    if (earlier) return { id: earlier.id };

    const id = `local:${randomUUID()}`;
    const build: RunningBuild = { state: submittedBuild(id, this.date()), abort: new AbortController(), scriptDone: false, saving: Promise.resolve() };
    this.running.set(id, build);
    this.tokens.set(request.idempotencyToken, { id, at: this.now() });
    await this.save(build);
    const timeoutMs = this.options.timeoutMs ?? (request.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000;
    const timer = setTimeout(() => this.interrupt(build, { status: "TIMED_OUT", message: timedOutMessage(timeoutMs) }), timeoutMs).unref();
    build.finished = this.run(build, request, user).finally(() => {
      clearTimeout(timer);
      this.running.delete(id);
    });
    this.options.log.info({ buildId: id, project: request.projectName }, "local build started");
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

  /** Stops the build's whole process group; it reports STOPPED once its processes are gone. */
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

  /** The build user, once found and able to reach the work directory; looked for again after a failure, which the operator may fix meanwhile. */
  private user(): Promise<BuildUser | null> {
    this.buildUser ??= (async () => {
      const user = await resolveBuildUser(this.options.buildUser);
      const blocked = user && (await unreachableBy(this.workRoot, user));
      if (blocked) {
        throw new Error(
          `Builds run as the user ${user.name ?? user.uid}, who cannot enter ${blocked}: let others search it (chmod o+x), or point TMPDIR at a directory that user can reach`,
        );
      }
      return user;
    })().catch((error: unknown) => {
      this.buildUser = undefined;
      throw error;
    });
    return this.buildUser;
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
    // Its shell may outlive the app that started it, but with no one reading its output.
    if (stored.process?.startTicks !== undefined && (await processStartTicks(stored.process.pid)) === stored.process.startTicks) {
      signalGroup(stored.process.pid, "SIGKILL");
    }
    const ended = finishBuild(stored, this.date(), { status: "FAULT", phaseStatus: "FAULT", message: APP_RESTARTED });
    const log = new LocalLogWriter(buildLogFile(buildDirectory(this.options.dataDir, stored.id)!), this.now);
    log.line(containerLine(this.date(), `Phase complete: ${runningPhase(stored)?.name ?? "BUILD"} State: FAULT`));
    log.line(containerLine(this.date(), `Phase context status code: CLIENT_ERROR Message: ${APP_RESTARTED}`));
    await log.close();
    await writeBuildState(this.options.dataDir, ended);
    if (stored.workspace) await removeTree(stored.workspace).catch((err: unknown) => this.options.log.warn({ err }, "removing an ended build's checkout failed"));
    this.options.log.warn({ buildId: stored.id }, "a local build begun before the app restarted was ended");
    return ended;
  }

  private async run(build: RunningBuild, request: StartBuildRequest, user: BuildUser | null): Promise<void> {
    const log = new LocalLogWriter(buildLogFile(buildDirectory(this.options.dataDir, build.state.id)!), this.now);
    let exit: ShellExit | undefined;
    try {
      const prepared = await this.downloadSource(build, request, user, log);
      if (prepared && !build.interruption) exit = await this.runShell(build, prepared, user, log);
    } catch (error) {
      this.options.log.error({ err: error, buildId: build.state.id }, "the local runner failed");
      build.interruption ??= { status: "FAULT", message: `The local runner failed: ${(error as Error).message}` };
    }
    const ended = this.ending(build, log, exit);
    // The end is reported once the log is complete: the watcher reads it to the end after that.
    await log.close().catch((err: unknown) => this.options.log.warn({ err }, "closing a build log failed"));
    const workspace = build.state.workspace;
    // Reported once written down, so that a restarted app finds the build as it was reported.
    await this.save(build, ended);
    build.state = ended;
    if (workspace) await removeTree(workspace).catch((err: unknown) => this.options.log.warn({ err }, "removing a build's checkout failed"));
    this.options.log.info({ buildId: ended.id, status: ended.status }, "local build ended");
  }

  /** DOWNLOAD_SOURCE, reported as CodeBuild does; undefined when it failed or the build was interrupted. */
  private async downloadSource(build: RunningBuild, request: StartBuildRequest, user: BuildUser | null, log: LocalLogWriter): Promise<PreparedBuild | undefined> {
    const say = (text: string) => log.line(containerLine(this.date(), text));
    say("Running on this machine with the local runner of codebuild-checks");
    say("Phase is DOWNLOAD_SOURCE");
    const download = await downloadSource(request, {
      buildId: build.state.id,
      startTime: new Date(build.state.startTime),
      workRoot: this.workRoot,
      git: this.options.git ?? "git",
      user,
      fetchToken: this.options.fetchToken,
      secretValue: this.options.secretValue,
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

  /** INSTALL to POST_BUILD: the script in one bash process of its own group, its phases followed through the side channel. */
  private async runShell(build: RunningBuild, prepared: PreparedBuild, user: BuildUser | null, log: LocalLogWriter): Promise<ShellExit> {
    const child = spawn(this.options.bash ?? "bash", ["--noprofile", "--norc", prepared.script], {
      cwd: prepared.sourceDirectory,
      env: prepared.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      ...(user && { uid: user.uid, gid: user.gid }),
    });
    const exited = new Promise<ShellExit & { error?: Error }>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.once("error", (error) => resolve({ code: null, signal: null, error }));
    });
    const outputClosed = once(child, "close").catch(() => undefined);
    child.stdout?.on("data", (chunk: Buffer) => log.output(chunk));
    child.stderr?.on("data", (chunk: Buffer) => log.output(chunk));
    const channel = createInterface({ input: child.stdio[SCRIPT_CHANNEL_FD] as Readable });
    const channelClosed = once(channel, "close");
    channel.on("line", (line) => this.follow(build, prepared.spec, parseScriptRecord(line)));

    const pid = child.pid;
    if (pid !== undefined) {
      build.child = child;
      const startTicks = await processStartTicks(pid);
      this.update(build, (state) => ({ ...state, process: { pid, startTicks } }));
      if (build.interruption) void terminateGroup(pid, this.options.stopGraceMs ?? STOP_GRACE_MS);
    }
    const exit = await exited;
    // What the build left running ends with it, as CodeBuild's container does.
    if (pid !== undefined) signalGroup(pid, "SIGKILL");
    await Promise.race([Promise.all([outputClosed, channelClosed]), sleep(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (exit.error) throw new Error(`could not start bash: ${exit.error.message}`);
    return exit;
  }

  /** The side channel's record of the script's progress. */
  private follow(build: RunningBuild, spec: Buildspec, record: ScriptRecord | undefined): void {
    if (!record || build.interruption) return;
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
        if (record.status !== 0 && command !== undefined) this.update(build, (state) => notePhaseFailure(state, commandFailureMessage(command, `exit status ${record.status}`)));
        return;
      }
      case "phase-end":
        return this.update(build, (state) => endPhase(state, record.status, at));
      case "done":
        build.scriptDone = true;
    }
  }

  /** The build as it ended: interrupted, its shell ended early, or as its phases went. Its last lines go to the log. */
  private ending(build: RunningBuild, log: LocalLogWriter, exit: ShellExit | undefined): LocalBuild {
    const { interruption } = build;
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
    if (exit && !build.scriptDone) return this.shellEnded(build, log, exit, at);
    return finishBuild(build.state, at);
  }

  /**
   * The shell ended before the script's end: a command ran `exit`, failed under `set -e`, or the
   * shell was killed. The phase under way fails; between phases, the next one does, unless one failed already.
   */
  private shellEnded(build: RunningBuild, log: LocalLogWriter, exit: ShellExit, at: Date): LocalBuild {
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
    const pid = build.child?.pid;
    if (pid !== undefined) void terminateGroup(pid, this.options.stopGraceMs ?? STOP_GRACE_MS);
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
