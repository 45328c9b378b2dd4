import type { CheckRunState, RenderedCheckOutput } from "../checks/check-run.js";
import type { Masker } from "../variables/masking.js";

export type { CheckRunState, RenderedCheckOutput } from "../checks/check-run.js";

/** Where a check run lives: the repository, and the installation whose writes it takes its turn among. */
export interface CheckRunPlace {
  installationId: number;
  owner: string;
  repo: string;
}

/** One check run of this app. */
export interface CheckRunRef extends CheckRunPlace {
  checkRunId: number;
}

/** What a write says of a run: its state, its output, and the values no string of it may show. */
export interface CheckRunContent {
  state: CheckRunState;
  output: RenderedCheckOutput;
  /** Hides the repository's secrets (and the build's own `::add-mask::` values) in the final text (SPEC 5). */
  mask: Pick<Masker, "mask">;
}

export interface NewCheckRun extends CheckRunContent {
  name: string;
  headSha: string;
  externalId?: string;
  detailsUrl?: string;
}

/** How a report's caller follows it while it waits its turn. */
export interface ReportHooks<C extends CheckRunContent> {
  /** Newer content when the report's turn comes; what it gives goes if it is of the same kind (progress, completion) as the report. */
  fresher?(): C | undefined;
  /** Called as soon as GitHub has the report, before the installation's next write starts. */
  sent?(content: C): void;
}

/** What became of a report: the content that went (a newer report's when it replaced this one), none after the run completed, or a failure. */
export type ReportOutcome<C extends CheckRunContent> = { status: "sent"; content: C } | { status: "dropped" } | { status: "failed" };

/**
 * Every check-run write of the app goes through here, and the rules of every write live here: each
 * waits its turn in its installation's write budget (GITHUB_WRITES_PER_MINUTE, GitHub's secondary
 * limits), and every final string is masked. No caller budgets or masks by hand.
 */
export interface CheckRuns {
  /** Creates a run (content creation, under the hourly cap) and answers its id; an error reaches the caller. */
  create(place: CheckRunPlace, run: NewCheckRun): Promise<number>;
  /**
   * Event processing says where a run stands and waits until GitHub has it: ahead of the watcher's
   * progress reports; an error reaches the caller.
   */
  set(run: CheckRunRef, content: CheckRunContent): Promise<void>;
  /**
   * The watcher's reports of a build, coalesced: of the reports of a run waiting their turn only the
   * latest is sent, with the freshest content its hooks give; content the run already shows is not
   * sent again. A completion goes before progress and is never replaced by progress; progress after
   * a run's completion was sent is dropped.
   */
  report<C extends CheckRunContent>(run: CheckRunRef, content: C, hooks?: ReportHooks<C>): Promise<ReportOutcome<C>>;
  /** The run carrying `externalId` on `headSha` (a retried event finds the run it created); `name` narrows the search. */
  find(place: CheckRunPlace, headSha: string, name: string | undefined, externalId: string): Promise<number | undefined>;
  /** Resolves when no write waits and none is under way (shutdown, the end of a Lambda pass). */
  drain(): Promise<void>;
}
