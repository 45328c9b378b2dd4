import { renderLogExcerpt } from "./log-excerpt.js";
import { renderSummary, type SummaryInput } from "./summary.js";
import { renderTitle } from "./title.js";

export interface CheckOutputInput extends SummaryInput {
  /** The log read so far; without it the output has no `text`. */
  logLines?: string[];
  /** `log_lines` of the repository's config: how many lines `text` shows. */
  logLineCount: number;
}

/** A check run's `output` (SPEC 5). */
export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

/**
 * What a check run says about a build: pure, so the watcher can call it on every tick. Not masked:
 * the check-run port (src/ports/check-runs.ts) masks these final strings in every write.
 */
export function renderCheckOutput(input: CheckOutputInput): CheckOutput {
  const output: CheckOutput = {
    title: renderTitle(input.build, { now: input.now, ...(input.supersededBy !== undefined && { supersededBy: input.supersededBy }) }),
    summary: renderSummary(input),
  };
  if (input.logLines !== undefined) {
    output.text = renderLogExcerpt({
      lines: input.logLines,
      lineCount: input.logLineCount,
      logUrl: input.logUrl,
    });
  }
  return output;
}
