import type { BuildPhase, BuildSnapshot } from "../domain/build.js";
import type { VariableSource } from "../domain/variables.js";
import { CONFIG_PATH } from "../config/schema.js";
import { formatDuration } from "./duration.js";
import { blockquote, codeSpan, escapeMarkdown, markdownLink } from "./markdown.js";
import { CHECK_OUTPUT_MAX_BYTES, utf8Length } from "./output-size.js";
import { COMPLETED_PHASE, failingPhase, isPhaseRunning, phaseSeconds } from "./phases.js";
import { cutLogLine, eventLines, plainLogLine } from "./terminal.js";
import { UNTRUSTED_SOURCE_ADVICE } from "./untrusted-source.js";
import { ADD_MASK_MAX_BYTES, ADD_MASK_MAX_VALUES } from "../domain/variable-names.js";

export interface SummaryInput {
  build: BuildSnapshot;
  /** The build's log page (SPEC 7). */
  logUrl: string;
  /** For the running time of a phase in progress. */
  now: Date;
  /** The build's variables by name and the layer each came from; never their values. */
  variables?: readonly { name: string; source: VariableSource }[];
  /** The commit whose build stopped this one (`cancel_in_progress`). */
  supersededBy?: string;
  /** The build asked to hide more values with `::add-mask::` than the app keeps. */
  maskingFull?: boolean;
  /** A build of untrusted code: with the untrusted role, without the app's source credentials. */
  untrusted?: boolean;
  /** Where the build said it deployed (DEPLOY_URL, checked: deployments/deploy-url.ts), or why that was ignored. */
  deployUrl?: DeployUrlNote;
}

/** A checked DEPLOY_URL as the summary shows it: the address (and whether a hidden value is in it), or why it was ignored. */
export type DeployUrlNote = { url: string; masked: boolean } | { problem: string };

/** How the summary names each layer of SPEC 3's precedence. */
const SOURCE_WORDS: Record<VariableSource, string> = {
  default: "default",
  file: "file",
  "file-environment": "file, environment",
  stored: "stored",
  "stored-environment": "stored, environment",
  secret: "secret",
  "secret-environment": "secret, environment",
  identity: "set by the app",
};

/** CodeBuild's phase that fetches the source. */
const SOURCE_PHASE = "DOWNLOAD_SOURCE";

const PHASE_STATUS_WORDS: Record<string, string> = {
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  FAULT: "fault",
  TIMED_OUT: "timed out",
  STOPPED: "stopped",
  CLIENT_ERROR: "client error",
  QUEUED: "queued",
  IN_PROGRESS: "in progress",
};

/**
 * The check run's summary: the phase table, what went wrong, and a link to the full log,
 * within GitHub's size limit: the table and then the failure messages are cut to fit, never the rest.
 */
export function renderSummary(input: SummaryInput): string {
  const { build } = input;
  const link = markdownLink("Full log", input.logUrl);
  const notes = [...deploymentNotes(build, input.deployUrl), ...buildNotes(build, input)];
  const separators = 2 * "\n\n".length;
  const room = CHECK_OUTPUT_MAX_BYTES - utf8Length([...notes, link].join("\n\n")) - separators;
  const table = fitLines(phaseTable(build, input.now), room, (left) => `${left} more phases are not shown.`);
  const messages = fitLines(failureMessages(build), room - utf8Length(table), (left) => `${left} more lines of the message are not shown.`);
  const variables = fitLines(
    variableList(input.variables ?? []),
    room - utf8Length(table) - utf8Length(messages) - separators,
    (left) => `${left} more variables are not shown.`,
  );
  return [table, ...notes, messages, variables, link].filter((section) => section !== "").join("\n\n");
}

/** The build's variables by name and layer, folded away: what came from where, never a value. */
function variableList(variables: readonly { name: string; source: VariableSource }[]): string[] {
  if (variables.length === 0) return [];
  return [
    `<details><summary>Build variables (${variables.length})</summary>`,
    "",
    ...variables.map((v) => `- ${codeSpan(v.name)} (${SOURCE_WORDS[v.source]})`),
    "",
    "</details>",
  ];
}

function phaseTable(build: BuildSnapshot, now: Date): string[] {
  const phases = build.phases.filter((phase) => phase.name !== COMPLETED_PHASE);
  if (phases.length === 0) return ["CodeBuild has not reported any phases yet."];
  const rows = phases.map((phase) => {
    const seconds = phaseSeconds(phase, build, now);
    const duration = seconds === undefined ? "" : formatDuration(seconds);
    return `| ${escapeMarkdown(phase.name)} | ${escapeMarkdown(phaseStatusWord(phase, build))} | ${duration} |`;
  });
  return ["| Phase | Status | Duration |", "| --- | --- | --- |", ...rows];
}

function phaseStatusWord(phase: BuildPhase, build: BuildSnapshot): string {
  if (isPhaseRunning(phase, build)) return "in progress";
  if (phase.status === undefined) return "";
  return PHASE_STATUS_WORDS[phase.status] ?? phase.status.toLowerCase().replaceAll("_", " ");
}

/** Where the build deployed, linked once it succeeded; a DEPLOY_URL that was ignored, and why. */
function deploymentNotes(build: BuildSnapshot, deployUrl: DeployUrlNote | undefined): string[] {
  if (deployUrl === undefined) return [];
  if ("problem" in deployUrl) return [escapeMarkdown(deployUrl.problem)];
  if (build.status !== "SUCCEEDED") return [];
  const masked = deployUrl.masked ? ` The address holds a hidden value, shown as ${codeSpan("***")}.` : "";
  return [`**Deployed to** ${markdownLink(deployUrl.url, deployUrl.url)}${masked}`];
}

/** What a user can do about an ending that is not about their commands. */
function buildNotes(
  build: BuildSnapshot,
  { supersededBy, maskingFull, untrusted }: Pick<SummaryInput, "supersededBy" | "maskingFull" | "untrusted">,
): string[] {
  const notes: string[] = [];
  if (untrusted && failingPhase(build)?.name === SOURCE_PHASE) {
    notes.push(`CodeBuild could not fetch the source. ${UNTRUSTED_SOURCE_ADVICE}`);
  }
  if (maskingFull) {
    notes.push(
      `Masking is full: this build hid more values with ${codeSpan("::add-mask::")} than the app keeps for one build (${ADD_MASK_MAX_VALUES} values, ${ADD_MASK_MAX_BYTES / 1024} KiB). The values after that are hidden only on their own ${codeSpan("::add-mask::")} line, not where the build prints them.`,
    );
  }
  if (build.status === "STOPPED" && supersededBy !== undefined) {
    notes.push(
      `A newer commit ${codeSpan(supersededBy)} superseded this build, so it was stopped: ${codeSpan("cancel_in_progress")} in ${codeSpan(CONFIG_PATH)} decides whether a newer build stops an older one.`,
    );
  }
  if (build.status === "FAULT") {
    notes.push("CodeBuild reported a fault: an error in CodeBuild itself, not in the build's commands. Running the build again usually helps.");
  }
  if (build.status === "TIMED_OUT") {
    notes.push(`The build ran longer than its timeout: ${codeSpan("timeout_minutes")} in ${codeSpan(CONFIG_PATH)}, else the CodeBuild project's own setting.`);
  }
  if (build.logs?.s3Only) {
    notes.push("This CodeBuild project writes its log to S3 only, so the check run shows no excerpt of it.");
  }
  return notes;
}

/** The failing phase's messages (CodeBuild's phase contexts), quoted as plain text. */
function failureMessages(build: BuildSnapshot): string[] {
  const phase = failingPhase(build);
  if (phase === undefined || phase.messages.length === 0) return [];
  const quotes = phase.messages.map((message) =>
    blockquote(
      eventLines(message)
        .map((line) => cutLogLine(plainLogLine(line)))
        .join("\n"),
    ),
  );
  // A lone ">" between messages keeps them separate paragraphs of one quote.
  const lines = quotes.join("\n>\n").split("\n");
  return [`**${escapeMarkdown(phase.name)} ${phaseStatusWord(phase, build)}:**`, ...lines];
}

/**
 * `lines` as one block of at most `maxBytes`: cut at the end when too long, followed by a
 * paragraph that says how many lines were left out; empty when not even that fits.
 */
function fitLines(lines: string[], maxBytes: number, leftOut: (count: number) => string): string {
  const all = lines.join("\n");
  if (utf8Length(all) <= maxBytes) return all;
  // The note for every line left out is the longest the note can be.
  let used = utf8Length(`\n\n_${leftOut(lines.length)}_`);
  const kept: string[] = [];
  for (const line of lines) {
    const cost = utf8Length(line) + (kept.length === 0 ? 0 : 1);
    if (used + cost > maxBytes) break;
    kept.push(line);
    used += cost;
  }
  if (used > maxBytes) return "";
  const note = `_${leftOut(lines.length - kept.length)}_`;
  return kept.length === 0 ? note : `${kept.join("\n")}\n\n${note}`;
}
