/**
 * An app that starts one local build and then waits, for a test to kill it mid-build:
 * `node --import tsx build-in-another-process.ts DATA_DIR WORK_ROOT CLONE_URL SHA`.
 */
import { pino } from "pino";
import { LocalRunner } from "../../../src/adapters/local/runner.js";
import { openBubblewrap } from "../../../src/adapters/local/sandbox/bubblewrap.js";

const [dataDir, workRoot, url, sha] = process.argv.slice(2);
const opened = await openBubblewrap({ hidden: [dataDir!], workRoot: workRoot!, searchPath: process.env.PATH, appUid: process.getuid?.() });
if (!opened.ok) throw new Error(opened.problem);
const runner = new LocalRunner({
  dataDir: dataDir!,
  workRoot: workRoot!,
  sandbox: opened.sandbox,
  source: async () => ({ cloneUrl: url! }),
  secretValue: async () => undefined,
  concurrency: 1,
  log: pino({ level: "silent" }),
});
const { id } = await runner.start({
  projectName: "local",
  sourceVersion: `refs/heads/main^{${sha}}`,
  sourceType: "GITHUB",
  installationId: 7,
  repositoryId: 102,
  sourceLocation: "https://attacker.example/not-the-repository.git",
  variables: [],
  idempotencyToken: "killed-mid-build",
  noCache: false,
});
process.stdout.write(`started ${id}\n`);
