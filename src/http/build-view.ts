import type { BuildRecord } from "../ports/build-records.js";
import type { BuildPhase, BuildSnapshot } from "../domain/build.js";
import { buildConclusion, type CheckConclusion } from "../checks/conclusion.js";
import { formatDuration } from "../checks/duration.js";
import { buildStage, COMPLETED_PHASE, isPhaseRunning, phaseSeconds } from "../checks/phases.js";
import { renderTitle } from "../checks/title.js";
import type { MaskedText } from "../variables/masking.js";

/** How a state is coloured on the log page. */
export type Tone = "queued" | "running" | "success" | "failure" | "cancelled" | "none";

export interface Badge {
  label: string;
  tone: Tone;
}

export interface PhaseView {
  name: string;
  /** In words (`succeeded`, `in progress`); empty while CodeBuild reports none. */
  status: string;
  tone: Tone;
  /** `2m 41s`, so far for a running phase; empty when unknown. */
  duration: string;
}

/**
 * Where a build stands, as the log page shows it and `GET /api/builds/:id` answers; nothing in it
 * comes from the build's output (phase messages are left out: the summary of the check run has them).
 */
export interface BuildStateView {
  deploymentId: string;
  status: BuildRecord["status"];
  /** The check run has completed: nothing will change any more. */
  completed: boolean;
  badge: Badge;
  /** The check run's title: `Building — BUILD phase`, `Build succeeded in 2m 41s`. */
  title: string;
  phases: PhaseView[];
  /** Where the build deployed (DEPLOY_URL, checked and masked when it was read), once it succeeded. */
  deployUrl?: MaskedText;
}

const FINISHED_BADGES: Partial<Record<CheckConclusion, Badge>> = {
  success: { label: "Succeeded", tone: "success" },
  failure: { label: "Failed", tone: "failure" },
  timed_out: { label: "Timed out", tone: "failure" },
  cancelled: { label: "Cancelled", tone: "cancelled" },
};

const PHASE_TONES: Record<string, Tone> = {
  SUCCEEDED: "success",
  IN_PROGRESS: "running",
  QUEUED: "queued",
  FAILED: "failure",
  FAULT: "failure",
  TIMED_OUT: "failure",
  CLIENT_ERROR: "failure",
  STOPPED: "cancelled",
};

export function buildStateView(record: BuildRecord, now: Date): BuildStateView {
  const { snapshot } = record;
  return {
    deploymentId: record.deploymentId,
    status: record.status,
    completed: record.completed,
    badge: badgeOf(record),
    title: snapshot
      ? renderTitle(snapshot, { now, ...(record.supersededBy !== undefined && { supersededBy: record.supersededBy }) })
      : record.completed
        ? "Build failed to start"
        : "Queued",
    phases: snapshot ? phaseViews(snapshot, now) : [],
    ...(deployUrlOf(record) && { deployUrl: deployUrlOf(record) }),
  };
}

function deployUrlOf({ status, snapshot }: BuildRecord): MaskedText | undefined {
  const deployUrl = snapshot?.deployUrl;
  return status === "SUCCEEDED" && deployUrl && "url" in deployUrl ? deployUrl.url : undefined;
}

function badgeOf(record: BuildRecord): Badge {
  const conclusion = buildConclusion(record.status);
  if (conclusion) return FINISHED_BADGES[conclusion] ?? { label: conclusion, tone: "none" };
  const stage = record.snapshot ? buildStage(record.snapshot) : "queued";
  return stage === "queued" ? { label: "Queued", tone: "queued" } : { label: "In progress", tone: "running" };
}

function phaseViews(build: BuildSnapshot, now: Date): PhaseView[] {
  return build.phases.filter((phase) => phase.name !== COMPLETED_PHASE).map((phase) => phaseView(phase, build, now));
}

function phaseView(phase: BuildPhase, build: BuildSnapshot, now: Date): PhaseView {
  const status = isPhaseRunning(phase, build) ? "IN_PROGRESS" : phase.status;
  const seconds = phaseSeconds(phase, build, now);
  return {
    name: phase.name,
    status: status?.toLowerCase().replaceAll("_", " ") ?? "",
    tone: (status !== undefined && PHASE_TONES[status]) || "none",
    duration: seconds === undefined ? "" : formatDuration(seconds),
  };
}

/** What the page says about the build besides its state: where it comes from, with links to GitHub. */
export interface BuildFactsView {
  repository: { fullName: string; url: string; private: boolean };
  checkName: string;
  commit: { sha: string; short: string; url: string };
  /** What was built: `Branch` `main`, `Tag` `v1.2.0`, `Pull request` `#12 feature → main`. */
  source: { heading: string; label: string; url: string };
  event: string;
  environment: string;
  /** When the build was asked for, in UTC. */
  createdAt: string;
}

const EVENT_WORDS: Record<BuildRecord["trigger"]["kind"], string> = {
  push: "Push",
  pull_request: "Pull request",
  merge_group: "Merge queue",
};

export function buildFactsView(record: BuildRecord, githubWebUrl: string): BuildFactsView {
  const { repository, plan } = record;
  const repoUrl = `${githubWebUrl}/${repository.owner}/${repository.name}`;
  const tree = `${repoUrl}/tree/${plan.branch.split("/").map(encodeURIComponent).join("/")}`;
  const tag = record.trigger.kind === "push" && record.trigger.ref.startsWith("refs/tags/");
  const source =
    plan.pullRequestNumber === undefined
      ? { heading: tag ? "Tag" : "Branch", label: plan.branch, url: tree }
      : {
          heading: "Pull request",
          label: `#${plan.pullRequestNumber} ${plan.branch} → ${plan.baseBranch ?? ""}`.trim(),
          url: `${repoUrl}/pull/${plan.pullRequestNumber}`,
        };
  return {
    repository: { fullName: `${repository.owner}/${repository.name}`, url: repoUrl, private: repository.private },
    checkName: record.checkName,
    commit: { sha: plan.sha, short: plan.sha.slice(0, 7), url: `${repoUrl}/commit/${plan.sha}` },
    source,
    event: EVENT_WORDS[record.trigger.kind],
    environment: plan.environment,
    createdAt: `${record.createdAt.slice(0, 19).replace("T", " ")} UTC`,
  };
}
