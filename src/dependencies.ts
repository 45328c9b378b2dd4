import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import type { BuildRecordStore } from "./builds/record.js";
import type { BuildRunner } from "./builds/runner.js";
import type { SecretProjectTags } from "./builds/stored-variables.js";
import type { Settings } from "./settings.js";
import type { VariableEditor } from "./variables/editor.js";
import type { SecretStore, VariableStore } from "./variables/store.js";

/** What handlers, processing and the watcher act through; tests swap any of it. */
export interface Dependencies {
  settings: Settings;
  runner: BuildRunner;
  records: BuildRecordStore;
  variables: VariableStore;
  secrets: SecretStore;
  editor: VariableEditor;
  secretTags: SecretProjectTags;
  /** An Octokit authenticated as the app's installation. */
  github(installationId: number): Promise<ProbotOctokit>;
  log: Logger;
}
