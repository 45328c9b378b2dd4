/**
 * An app that starts one local build and then waits, for a test to kill it mid-build:
 * `node --import tsx build-in-another-process.ts DATA_DIR WORK_ROOT CLONE_URL SHA`.
 */
import { pino } from "pino";
import { LocalRunner } from "../../../src/adapters/local/runner.js";

const [dataDir, workRoot, url, sha] = process.argv.slice(2);
const runner = new LocalRunner({
  dataDir: dataDir!,
  workRoot: workRoot!,
  fetchToken: async () => undefined,
  secretValue: async () => undefined,
  log: pino({ level: "silent" }),
  buildUser: null,
});
const { id } = await runner.start({
  projectName: "local",
  sourceVersion: `refs/heads/main^{${sha}}`,
  sourceType: "GITHUB",
  installationId: 7,
  repositoryId: 102,
  sourceLocation: url!,
  variables: [],
  idempotencyToken: "killed-mid-build",
  noCache: false,
});
process.stdout.write(`started ${id}\n`);
