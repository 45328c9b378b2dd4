import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { BuildRunner, BuildSnapshot, StartBuildRequest } from "../../builds/runner.js";
import { StartBuildError } from "../../builds/runner.js";
import { formatDuration } from "../../checks/duration.js";
import { buildEnvironment } from "./build-environment.js";
import { buildDirectory, buildLogFile, readBuildState, writeBuildState } from "./build-files.js";
import { buildScript, commandFailureMessage, containerLine, parseScriptRecord, SCRIPT_CHANNEL_FD, type ScriptRecord } from "./build-script.js";
import { endPhase, enterPhase, finishBuild, notePhaseFailure, runningPhase, submittedBuild, toSnapshot, type LocalBuild, type PhaseStatus } from "./build-state.js";
import { chownTree, removeTree, resolveBuildUser, unreachableBy, type BuildUser } from "./build-user.js";
import { BUILDSPEC_PHASES, describeBuildspecProblems, parseBuildspec, type Buildspec } from "./buildspec.js";
import { readBuildspecText } from "./buildspec-file.js";
import { fetchSource } from "./git-source.js";
import { LocalLogWriter } from "./local-logs.js";
import { processStartTicks, signalGroup, terminateGroup } from "./process-group.js";

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
  "it runs builds on the app's own machine, where nothing keeps a build from the app's secrets. Build untrusted pull requests with CodeBuild " +
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

/** What the app logs at start-up about where builds run. */
export interface LocalRunnerSetup {
  dataDir: string;
  workRoot: string;
  buildUser: BuildUser | null;
  appUid: number | undefined;
  /** Why no build can run (the app runs as root without a user to run builds as). */
  problem?: string;
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

interface PreparedBuild {
  spec: Buildspec;
  script: string;
  sourceDirectory: string;
  env: Record<string, string>;
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
    const earlier = this.tokens.get(request.idempotencyToken);
    if (earlier && this.now() - earlier.at < IDEMPOTENCY_WINDOW_MS) return { id: earlier.id };

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

  /** DOWNLOAD_SOURCE: the checkout, the buildspec and the environment; undefined when the phase failed or the build was interrupted. */
  private async downloadSource(build: RunningBuild, request: StartBuildRequest, user: BuildUser | null, log: LocalLogWriter): Promise<PreparedBuild | undefined> {
    const say = (text: string) => log.line(containerLine(this.date(), text));
    const fail = (messages: string[]) => {
      if (build.interruption) return undefined;
      say("Phase complete: DOWNLOAD_SOURCE State: FAILED");
      for (const message of messages) say(`Phase context status code: CLIENT_ERROR Message: ${message}`);
      this.update(build, (state) => endPhase(state, "FAILED", this.date(), messages));
      return undefined;
    };
    say("Running on this machine with the local runner of codebuild-checks");
    say("Phase is DOWNLOAD_SOURCE");
    const workspace = await mkdtemp(join(this.workRoot, "codebuild-checks-"));
    this.update(build, (state) => ({ ...state, workspace }));
    const sourceDirectory = join(workspace, "src");
    const home = join(workspace, "home");
    await Promise.all([mkdir(sourceDirectory), mkdir(home)]);

    let token: string | undefined;
    try {
      token = await this.options.fetchToken(request);
    } catch (error) {
      return fail([`Could not get a token to fetch the repository: ${(error as Error).message}`]);
    }
    const source = await fetchSource({
      git: this.options.git ?? "git",
      directory: sourceDirectory,
      location: request.sourceLocation,
      sourceVersion: request.sourceVersion,
      token,
      signal: build.abort.signal,
    });
    if (!source.ok) return fail([source.problem]);
    say(`CODEBUILD_SRC_DIR=${sourceDirectory}`);

    const text = await readBuildspecText(sourceDirectory, request.buildspec);
    if (!text.ok) return fail([text.problem]);
    const parsed = parseBuildspec(text.text);
    if (!parsed.ok) return fail(describeBuildspecProblems(parsed.problems, text.where));
    say(`YAML location is ${text.where}`);

    say("Processing environment variables");
    const variables = await this.resolveVariables(request);
    if (!variables.ok) return fail([variables.problem]);
    const env = buildEnvironment({
      buildspecVariables: parsed.buildspec.variables,
      variables: variables.values,
      home,
      sourceDirectory,
      buildId: build.state.id,
      commit: source.commit,
      sourceVersion: request.sourceVersion,
      sourceLocation: request.sourceLocation,
      startTime: new Date(build.state.startTime),
    });
    const script = join(workspace, "buildspec.sh");
    await writeFile(script, buildScript(parsed.buildspec), { mode: 0o644 });
    if (user) await chownTree(workspace, user);
    if (build.interruption) return undefined;

    say(`Moving to directory ${sourceDirectory}`);
    say(`Phases found in YAML: ${BUILDSPEC_PHASES.filter(({ key }) => parsed.buildspec.phases[key].commands.length > 0).length}`);
    for (const { key, name } of BUILDSPEC_PHASES) {
      const count = parsed.buildspec.phases[key].commands.length;
      if (count > 0) say(` ${name}: ${count} commands`);
    }
    say("Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED");
    say("Phase context status code:  Message: ");
    this.update(build, (state) => endPhase(state, "SUCCEEDED", this.date()));
    return { spec: parsed.buildspec, script, sourceDirectory, env };
  }

  /** The build's variables with each secret's value in place of its name. */
  private async resolveVariables(request: StartBuildRequest): Promise<{ ok: true; values: { name: string; value: string }[] } | { ok: false; problem: string }> {
    const values: { name: string; value: string }[] = [];
    for (const variable of request.variables) {
      if (variable.type === "PLAINTEXT") {
        values.push(variable);
        continue;
      }
      let value: string | undefined;
      try {
        value = await this.options.secretValue(variable.value);
      } catch (error) {
        return { ok: false, problem: `Could not read the secret ${variable.value} of variable ${variable.name}: ${(error as Error).message}` };
      }
      if (value === undefined) return { ok: false, problem: `There is no secret ${variable.value} for variable ${variable.name}: store it again with /secret set` };
      values.push({ name: variable.name, value });
    }
    return { ok: true, values };
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
    const { state, interruption } = build;
    const at = this.date();
    if (interruption) {
      const phase = runningPhase(state);
      if (phase) {
        log.line(containerLine(at, `Phase complete: ${phase.name} State: ${interruption.status}`));
        log.line(containerLine(at, `Phase context status code: ${contextCode(interruption.status)} Message: ${interruption.message}`));
      }
      return finishBuild(state, at, { status: interruption.status, phaseStatus: interruption.status, message: interruption.message });
    }
    if (exit && !build.scriptDone) return this.shellEnded(build, log, exit, at);
    return finishBuild(state, at);
  }

  /**
   * The shell ended before the script's end: a command ran `exit`, failed under `set -e`, or the
   * shell was killed. The phase under way fails; between phases, the next one does, unless one failed already.
   */
  private shellEnded(build: RunningBuild, log: LocalLogWriter, exit: ShellExit, at: Date): LocalBuild {
    let state = build.state;
    if (!runningPhase(state)) {
      const next = BUILDSPEC_PHASES.find(({ name }) => !state.phases.some((phase) => phase.name === name));
      if (!next || state.phases.some((phase) => phase.status === "FAILED")) return finishBuild(state, at);
      state = enterPhase(state, next.name, at);
    }
    const reason = exit.code !== null ? `exit status ${exit.code}` : `signal ${exit.signal}`;
    const message = build.command
      ? `${commandFailureMessage(build.command, reason)} (the command ended the build's shell, so nothing after it ran)`
      : `The build's shell ended unexpectedly (${reason})`;
    if (build.command) log.line(containerLine(at, `Command did not exit successfully ${build.command} ${reason}`));
    log.line(containerLine(at, `Phase complete: ${runningPhase(state)!.name} State: FAILED`));
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

/** The start-up lines that say where and how builds run. */
export function describeLocalRunner(setup: LocalRunnerSetup): string[] {
  const user = setup.buildUser
    ? `as the unprivileged user ${setup.buildUser.name ?? setup.buildUser.uid} (uid ${setup.buildUser.uid})`
    : `as the app's own user (uid ${setup.appUid ?? "unknown"})`;
  return [
    `Builds run on this machine (RUNNER=local), ${user}: each buildspec runs with bash in a fresh checkout under ${setup.workRoot}; build states and logs are kept in ${join(setup.dataDir, "builds")}`,
    "The local runner never builds untrusted code (pull requests from forks or from bots): those are refused with a message on their check run",
  ];
}

/** What the operator must know at start-up: builds that can read the app's files, or builds that cannot run. */
export function localRunnerWarnings(setup: LocalRunnerSetup): string[] {
  if (setup.problem) return [setup.problem];
  if (setup.buildUser) return [];
  const who = setup.appUid === 0 ? "as root" : "as the app's own user";
  return [
    `Builds run on this machine ${who}: a build can read and change the app's files, its private key, settings and data included. ` +
      "Build only repositories you trust, or run the app as root so that builds run as an unprivileged user.",
  ];
}

function timedOutMessage(timeoutMs: number): string {
  return `Build timed out after ${formatDuration(timeoutMs / 1000)}: raise timeout_minutes in .github/codebuild.yml, or make the build faster`;
}

/** The status code CodeBuild gives a phase's context for each way of ending early. */
function contextCode(status: PhaseStatus): string {
  return status === "TIMED_OUT" ? "BUILD_TIMED_OUT" : status === "STOPPED" ? "BUILD_STOPPED" : "CLIENT_ERROR";
}
