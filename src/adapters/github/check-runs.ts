import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import type { AppMetrics } from "../../metrics/registry.js";
import type { CheckRunContent, CheckRunPlace, CheckRunRef, CheckRuns, CheckRunState, NewCheckRun, ReportHooks, ReportOutcome } from "../../ports/check-runs.js";
import { createCheckRun, findCheckRun, maskedCheckOutput, updateCheckRun, type CheckRunOutput, type CheckRunTarget } from "./checks.js";
import type { GitHubWriteBudgets } from "../../ports/write-budget.js";

export interface GitHubCheckRunsOptions {
  /** An Octokit authenticated as the installation. */
  github(installationId: number): Promise<ProbotOctokit>;
  /** The installations' write budgets, shared with every other GitHub write of the app. */
  writes: GitHubWriteBudgets;
  metrics: Pick<AppMetrics, "checkRunWritten" | "checkRunWriteCoalesced">;
}

/** Runs whose last reported content is remembered; far more than are followed at once. */
const REMEMBERED_RUNS = 10_000;

const targetOf = (place: CheckRunPlace): CheckRunTarget => ({ owner: place.owner, repo: place.repo });

/** Equal for two writes that would leave a run showing the same. */
function writeFingerprint(state: CheckRunState, output: CheckRunOutput): string {
  return createHash("sha256").update(JSON.stringify({ state, output })).digest("base64url");
}

/**
 * The check-run port over GitHub's REST API: every write masked here, from the content it is given,
 * and sent in its installation's write budget (GitHubWriteBudget), which keeps the order and the
 * coalescing of the watcher's reports.
 */
export class GitHubCheckRuns implements CheckRuns {
  /** What each run reported on shows now, by fingerprint, most recently written last. */
  private readonly shown = new Map<string, string>();

  constructor(private readonly options: GitHubCheckRunsOptions) {}

  async create(place: CheckRunPlace, run: NewCheckRun): Promise<number> {
    const octokit = await this.options.github(place.installationId);
    const { mask, output, ...fields } = run;
    const masked = { ...fields, output: maskedCheckOutput(mask, output) };
    return this.budget(place).once("creates", () => createCheckRun(octokit, targetOf(place), masked));
  }

  async set(run: CheckRunRef, content: CheckRunContent): Promise<void> {
    this.shown.delete(String(run.checkRunId));
    const octokit = await this.options.github(run.installationId);
    const output = maskedCheckOutput(content.mask, content.output);
    await this.budget(run).once("changes", () => updateCheckRun(octokit, targetOf(run), run.checkRunId, content.state, output));
  }

  async report<C extends CheckRunContent>(run: CheckRunRef, content: C, hooks: ReportHooks<C> = {}): Promise<ReportOutcome<C>> {
    const kind = content.state.status === "completed" ? "completion" : "progress";
    const key = String(run.checkRunId);
    let ran = false;
    const outcome = await this.budget(run).submit(key, kind, async () => {
      ran = true;
      // Progress never turns into a completion when its turn comes, nor a completion into progress.
      const latest = hooks.fresher?.();
      const sent = latest && (latest.state.status === "completed") === (kind === "completion") ? latest : content;
      const output = maskedCheckOutput(sent.mask, sent.output);
      const fingerprint = writeFingerprint(sent.state, output);
      // A write that replaced another may have nothing new to say: the run shows it already.
      if (this.shown.get(key) !== fingerprint) {
        const octokit = await this.options.github(run.installationId);
        await updateCheckRun(octokit, targetOf(run), run.checkRunId, sent.state, output);
        this.remember(key, fingerprint);
        this.options.metrics.checkRunWritten(kind);
      }
      hooks.sent?.(sent);
      return sent;
    });
    if (outcome.status !== "sent") return { status: outcome.status };
    if (!ran) this.options.metrics.checkRunWriteCoalesced();
    return { status: "sent", content: outcome.value };
  }

  async find(place: CheckRunPlace, headSha: string, name: string | undefined, externalId: string): Promise<number | undefined> {
    return findCheckRun(await this.options.github(place.installationId), targetOf(place), headSha, name, externalId);
  }

  drain(): Promise<void> {
    return this.options.writes.drain();
  }

  private remember(key: string, fingerprint: string): void {
    this.shown.delete(key);
    this.shown.set(key, fingerprint);
    if (this.shown.size > REMEMBERED_RUNS) this.shown.delete(this.shown.keys().next().value!);
  }

  private budget(place: CheckRunPlace) {
    return this.options.writes.forInstallation(place.installationId);
  }
}
