import type { ProbotOctokit } from "probot";
import type { CheckAnnotation } from "../../checks/annotation.js";
import { CHECK_ANNOTATIONS_PER_REQUEST } from "../../checks/annotation.js";
import type { CheckRunState, NewCheckRun, RenderedCheckOutput } from "../../ports/check-runs.js";
import type { Masker, MaskedText } from "../../variables/masking.js";

/** An annotation as sent: every text in it masked. */
export interface MaskedAnnotation extends Omit<CheckAnnotation, "path" | "message" | "title" | "raw_details"> {
  path: MaskedText;
  message: MaskedText;
  title?: MaskedText;
  raw_details?: MaskedText;
}

/** A check run's output as sent: only masked text (SPEC 5), so no output reaches GitHub unmasked. */
export interface CheckRunOutput {
  title: MaskedText;
  summary: MaskedText;
  text?: MaskedText;
  annotations?: MaskedAnnotation[];
}

/**
 * The masking step of every check-run write: the final strings (after every escape was removed and
 * every workflow-command escape decoded) masked as they will be shown.
 */
export function maskedCheckOutput(masker: Pick<Masker, "mask">, output: RenderedCheckOutput): CheckRunOutput {
  return {
    title: masker.mask(output.title),
    summary: masker.mask(output.summary),
    ...(output.text !== undefined && { text: masker.mask(output.text) }),
    ...(output.annotations && { annotations: output.annotations.map((a) => maskedAnnotation(masker, a)) }),
  };
}

function maskedAnnotation(masker: Pick<Masker, "mask">, annotation: CheckAnnotation): MaskedAnnotation {
  const { path, message, title, raw_details, ...position } = annotation;
  return {
    ...position,
    path: masker.mask(path),
    message: masker.mask(message),
    ...(title !== undefined && { title: masker.mask(title) }),
    ...(raw_details !== undefined && { raw_details: masker.mask(raw_details) }),
  };
}

export interface CheckRunTarget {
  owner: string;
  repo: string;
}

/** A new run as sent: its output masked. */
export interface MaskedNewCheckRun extends Omit<NewCheckRun, "output" | "mask"> {
  output: CheckRunOutput;
}

function stateFields(state: CheckRunState) {
  switch (state.status) {
    case "queued":
      return { status: "queued" as const };
    case "in_progress":
      return { status: "in_progress" as const, ...(state.startedAt && { started_at: state.startedAt.toISOString() }) };
    case "completed":
      return { status: "completed" as const, conclusion: state.conclusion, completed_at: state.completedAt.toISOString() };
  }
}

/** GitHub takes 50 annotations per request; the rest go in follow-up updates. */
function splitAnnotations(output: CheckRunOutput): [CheckRunOutput, MaskedAnnotation[][]] {
  const annotations = output.annotations ?? [];
  const batches: MaskedAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += CHECK_ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(i, i + CHECK_ANNOTATIONS_PER_REQUEST));
  }
  const { annotations: _all, ...rest } = output;
  return [{ ...rest, ...(batches[0] && { annotations: batches[0] }) }, batches.slice(1)];
}

/**
 * The check run carrying `externalId` on `headSha`, if one exists: a retried or
 * redelivered event must find the run it already created instead of making a second.
 * `name` narrows the listing when it is known.
 */
export async function findCheckRun(
  octokit: ProbotOctokit,
  target: CheckRunTarget,
  headSha: string,
  name: string | undefined,
  externalId: string,
): Promise<number | undefined> {
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...target,
    ref: headSha,
    ...(name !== undefined && { check_name: name }),
    filter: "all",
    per_page: 100,
  });
  return runs.find((run) => run.external_id === externalId)?.id;
}

export async function createCheckRun(octokit: ProbotOctokit, target: CheckRunTarget, run: MaskedNewCheckRun): Promise<number> {
  const [output, more] = splitAnnotations(run.output);
  const { data } = await octokit.rest.checks.create({
    ...target,
    name: run.name,
    head_sha: run.headSha,
    ...(run.externalId && { external_id: run.externalId }),
    ...(run.detailsUrl && { details_url: run.detailsUrl }),
    ...stateFields(run.state),
    output,
  });
  await sendRemainingAnnotations(octokit, target, data.id, output, more);
  return data.id;
}

export async function updateCheckRun(
  octokit: ProbotOctokit,
  target: CheckRunTarget,
  checkRunId: number,
  state: CheckRunState,
  output: CheckRunOutput,
): Promise<void> {
  const [first, more] = splitAnnotations(output);
  await octokit.rest.checks.update({ ...target, check_run_id: checkRunId, ...stateFields(state), output: first });
  await sendRemainingAnnotations(octokit, target, checkRunId, first, more);
}

async function sendRemainingAnnotations(
  octokit: ProbotOctokit,
  target: CheckRunTarget,
  checkRunId: number,
  output: CheckRunOutput,
  batches: MaskedAnnotation[][],
): Promise<void> {
  for (const annotations of batches) {
    await octokit.rest.checks.update({
      ...target,
      check_run_id: checkRunId,
      output: { title: output.title, summary: output.summary, ...(output.text && { text: output.text }), annotations },
    });
  }
}
