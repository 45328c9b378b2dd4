import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import type { BuildRecordStore } from "./builds/record.js";
import type { BuildRunner } from "./builds/runner.js";
import type { Settings } from "./settings.js";

/** What handlers, processing and the watcher act through; tests swap any of it. */
export interface Dependencies {
  settings: Settings;
  runner: BuildRunner;
  records: BuildRecordStore;
  /** An Octokit authenticated as the app's installation. */
  github(installationId: number): Promise<ProbotOctokit>;
  log: Logger;
}
