import type { CheckAnnotation } from "./annotation.js";
import type { CheckConclusion } from "./conclusion.js";

/** Where a check run stands, as GitHub's API sets it. */
export type CheckRunState =
  { status: "queued" } | { status: "in_progress"; startedAt?: Date } | { status: "completed"; conclusion: CheckConclusion; completedAt: Date };

/** A check run's output as rendered, before masking: the port masks every string of it. */
export interface RenderedCheckOutput {
  title: string;
  summary: string;
  text?: string;
  /** Appended to the run's earlier annotations (GitHub keeps them); the port sends them 50 a request. */
  annotations?: readonly CheckAnnotation[];
}
