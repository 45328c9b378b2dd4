import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { UNTRUSTED_SOURCE_ADVICE } from "../../checks/untrusted-source.js";
import type { ConfigProblem } from "../../config/parse.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../config/schema.js";
import type { Dependencies } from "../dependencies.js";
import type { CheckRunContent, CheckRunPlace, CheckRunRef, CheckRunState, RenderedCheckOutput } from "../../ports/check-runs.js";
import { createMasker, type Masker } from "../../variables/masking.js";
import type { BuildDecision } from "../../builds/decide.js";
import type { BuildRecord } from "../../ports/build-records.js";
import { classifyStartFailure, exhaustedStart, retryingTitle, type StartFailure } from "../../builds/start-failure.js";
import type { Trigger } from "../../domain/trigger.js";
import type { BuildDeployment } from "../../deployments/deployment.js";

/** The repository's config and what it says to do with a trigger; or what is wrong with the config. */
export type Decided = { ok: true; config: RepoConfig; decision: BuildDecision } | { ok: false; problems: ConfigProblem[] };

/** What a build's start writes through. */
export type StartDependencies = Pick<Dependencies, "checkRuns" | "records" | "metrics">;

/** Attempts at processing an event before its check run completes `failure`, when every error could pass (SPEC 8). */
export const START_ATTEMPTS = 5;
/** The wait after a first failed attempt; it doubles after each further one (2, 4, 8 and 16 s: half a minute in all). */
export const START_RETRY_BASE_MS = 2_000;

/** How long to wait after failed attempt `attempt` (1-based): half fixed, half random, so replicas that failed together do not retry together. */
export function startRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = START_RETRY_BASE_MS * 2 ** (attempt - 1);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * One event's way to a build, across its attempts: what earlier attempts established (the check
 * run, its name, the masker) and how a failure shows on the check run — `Retrying to start — …`
 * while another attempt comes, completed `failure` with what failed and what to do when none does.
 */
export class BuildStart {
  /** What the config says of the trigger, once read. */
  decided: Decided | undefined;
  /** The check run's name, once the config said it. */
  checkName: string | undefined;
  checkRunId: number | undefined;
  masker: Masker | undefined;
  /** The CodeBuild project, once known: a refusal names it. */
  projectName: string | undefined;
  /** The record as far as it was made: a failure completes it. */
  record: BuildRecord | undefined;
  /** The build's GitHub deployment, once made (or found): a later attempt uses it. */
  deployment: BuildDeployment | undefined;
  /** The build could not be started: its check run completed `failure`. */
  failed = false;
  /** Set while the runner is asked to start the build of untrusted code: a refusal then adds why fetching may fail. */
  startingUntrusted = false;

  constructor(
    readonly trigger: Trigger,
    readonly deploymentId: string,
    readonly headSha: string,
    readonly octokit: ProbotOctokit,
    private readonly deps: StartDependencies,
    private readonly log: Logger,
  ) {}

  /** The repository, as the check-run port and GitHub's API name it. */
  get place(): CheckRunPlace {
    return { installationId: this.trigger.installationId, owner: this.trigger.repository.owner, repo: this.trigger.repository.name };
  }

  /**
   * Runs `attempt` until it succeeds, an error that cannot pass stops it, or START_ATTEMPTS failed;
   * `attempt` is told whether an earlier one may have left something behind (a check run).
   */
  async run(attempt: (afterEarlierAttempt: boolean) => Promise<void>, earlierAttempts: boolean, wait: (ms: number) => Promise<unknown> = delay): Promise<void> {
    for (let n = 1; ; n++) {
      try {
        return await attempt(earlierAttempts || n > 1);
      } catch (error) {
        const failure = classifyStartFailure(error, { projectName: this.projectName });
        if (failure.passing && n < START_ATTEMPTS) {
          this.log.warn({ err: error, attempt: n }, "starting the build failed; trying again");
          await this.retrying(failure.reason, n + 1);
          await wait(startRetryDelayMs(n));
          continue;
        }
        this.log.warn({ err: error, attempt: n }, "the build could not be started");
        return this.fail(failure.passing ? exhaustedStart(failure.reason, n) : failure);
      }
    }
  }

  /** The check run says that another attempt comes; a failure to say so only leaves the title as it was. */
  private async retrying(reason: string, attempt: number): Promise<void> {
    const checkRunId = this.checkRunId;
    if (checkRunId === undefined) return;
    const output = { title: retryingTitle(reason, attempt, START_ATTEMPTS), summary: `Attempt ${attempt - 1} failed: ${reason}. The app tries again shortly.` };
    await this.deps.checkRuns
      .set(this.ref(checkRunId), this.content({ status: "queued" }, output))
      .catch((err: unknown) => this.log.warn({ err }, "saying that the start is tried again failed"));
  }

  /** Completes the check run `failure` with what failed (creating it when no attempt got that far), and records the build as failed. */
  async fail(failure: Extract<StartFailure, { passing: false }>): Promise<void> {
    const summary = this.startingUntrusted ? `${failure.summary}\n\n${UNTRUSTED_SOURCE_ADVICE}` : failure.summary;
    await this.complete({ title: failure.title, summary });
    this.failed = true;
    this.deps.metrics.buildCompleted("start_failed");
  }

  /**
   * Completes the check run with `output`, creating it completed when there is none yet. What is
   * kept of the build (so a re-run finds its trigger by the run's external_id) is written before a
   * run is created, and marked done only once the run is completed: an attempt that fails between
   * them leaves the next attempt everything it needs. The table refusing (the very failure being
   * reported, perhaps) never keeps the run from completing.
   */
  async complete(output: RenderedCheckOutput, conclusion: "failure" | "skipped" | "action_required" = "failure"): Promise<void> {
    const content = this.content({ status: "completed", conclusion, completedAt: new Date() }, output);
    const checkRunId = this.checkRunId;
    if (!this.record) await this.keep(this.deps.records.rememberTrigger(this.deploymentId, this.trigger));
    if (checkRunId === undefined) {
      const name = this.checkName ?? DEFAULT_REPO_CONFIG.check_name;
      this.checkRunId = await this.deps.checkRuns.create(this.place, { ...content, name, headSha: this.headSha, externalId: this.deploymentId });
    } else {
      await this.deps.checkRuns.set(this.ref(checkRunId), content);
    }
    if (this.record) await this.keep(this.deps.records.put({ ...this.record, status: "FAILED", completed: true }));
  }

  private keep(written: Promise<void>): Promise<void> {
    return written.catch((err: unknown) => this.log.warn({ err, deploymentId: this.deploymentId }, "recording the build's end failed"));
  }

  /** What the app writes about the build, to be masked with the repository's secrets; without them when even those could not be read. */
  content(state: CheckRunState, output: RenderedCheckOutput): CheckRunContent {
    return { state, output, mask: this.masker ?? createMasker() };
  }

  private ref(checkRunId: number): CheckRunRef {
    return { ...this.place, checkRunId };
  }
}
