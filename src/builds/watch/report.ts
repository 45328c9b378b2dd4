import { nextAnnotationBatch } from "../../checks/annotations/index.js";
import { buildConclusion, checkStatus, type CheckConclusion } from "../../checks/conclusion.js";
import { renderCheckOutput } from "../../checks/render.js";
import type { CheckRunState, RenderedCheckOutput } from "../../checks/check-run.js";
import type { Masker } from "../../variables/masking.js";
import { updateFingerprint } from "./update-throttle.js";
import { maskerOf } from "./masking.js";
import type { WatchedBuild } from "./state.js";

/** What the watcher says on a build's check run: its content for the check-run port, and what the throttle needs. */
export interface CheckRunReport {
  state: CheckRunState;
  output: RenderedCheckOutput;
  /** What hides the build's secrets and `::add-mask::` values: the check-run port masks the final text with it. */
  mask: Pick<Masker, "mask">;
  /** Annotations the run had before: this report appends `output.annotations` to them. */
  annotationsBefore: number;
  /** CodeBuild's phase: a change is reported at once. */
  phase: string | undefined;
  /** Set when the report completes the run. */
  conclusion?: CheckConclusion;
  /** Equal fingerprints mean nothing changed. */
  fingerprint: string;
}

/** The check run's state and output as the build stands; none while a finished build's log is still read. */
export function checkRunReport(build: WatchedBuild, now: number): CheckRunReport | undefined {
  const { snapshot, record } = build;
  if (!snapshot) return undefined;
  const conclusion = buildConclusion(snapshot.status);
  if (conclusion && !build.log.done) return undefined;
  const at = new Date(now);
  const state: CheckRunState = conclusion
    ? { status: "completed", conclusion, completedAt: snapshot.endTime ?? at }
    : checkStatus(snapshot) === "queued"
      ? { status: "queued" }
      : { status: "in_progress", startedAt: snapshot.startTime };
  const rendered = renderCheckOutput({
    build: snapshot,
    logUrl: build.rules.logUrl,
    now: at,
    logLines: snapshot.logs && !snapshot.logs.s3Only ? [...build.tail] : undefined,
    logLineCount: record.excerptLines,
    variables: record.variables,
    maskingFull: build.masking.addMasks.full,
    ...(record.supersededBy && { supersededBy: record.supersededBy }),
    untrusted: !record.plan.trusted,
    ...(snapshot.deployUrl && { deployUrl: snapshot.deployUrl }),
  });
  const annotationsBefore = build.checkRun.annotationsSent;
  const all = build.annotations.all;
  // A completion carries every annotation left; progress one request's worth at a time.
  const annotations = conclusion ? all.slice(annotationsBefore) : nextAnnotationBatch([...all], annotationsBefore);
  const output = { ...rendered, annotations };
  // The values that hide it count too: a value learnt since changes what GitHub would show.
  const fingerprint = updateFingerprint({ state, output, masking: [build.masking.secrets.length, build.masking.addMasks.values.length] });
  return { state, output, mask: maskerOf(build.masking), annotationsBefore, phase: snapshot.currentPhase, fingerprint, ...(conclusion && { conclusion }) };
}
