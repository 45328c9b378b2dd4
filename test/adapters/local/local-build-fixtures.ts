import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { pino } from "pino";
import { removeTree } from "../../../src/adapters/local/build-user.js";
import { LocalLogSource } from "../../../src/adapters/local/local-logs.js";
import { LocalRunner, type LocalRunnerOptions } from "../../../src/adapters/local/runner.js";
import { openBubblewrap } from "../../../src/adapters/local/sandbox/bubblewrap.js";
import type { BuildSandbox } from "../../../src/adapters/local/sandbox/sandbox.js";
import type { RepositorySource } from "../../../src/ports/repository-source.js";
import type { BuildSnapshot, StartBuildRequest } from "../../../src/domain/build.js";

const run = promisify(execFile);

export const silentLog = pino({ level: "silent" });

/** Every directory a test file made, removed once its tests are done. */
const made: string[] = [];

afterAll(async () => {
  // Builds' files belong to their own users and may be read-only (Go's module cache): removeTree deals with both.
  await Promise.all(made.splice(0).map((directory) => removeTree(directory)));
});

export async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "local-runner-test-"));
  made.push(directory);
  return directory;
}

/** A git repository with one commit of `files` (and symbolic `links`), reached by a file:// URL as builds reach GitHub. */
export async function repository(files: Record<string, string>, links: Record<string, string> = {}): Promise<{ url: string; sha: string; directory: string }> {
  const directory = await temporaryDirectory();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(directory, path)), { recursive: true });
    await writeFile(join(directory, path), text);
  }
  for (const [path, target] of Object.entries(links)) await symlink(target, join(directory, path));
  const git = (...args: string[]) =>
    run("git", ["-c", "user.email=test@example.com", "-c", "user.name=Test", "-c", "init.defaultBranch=main", ...args], { cwd: directory });
  await git("init", "--quiet");
  await git("add", "--all");
  await git("commit", "--quiet", "--message", "test commit");
  const sha = (await git("rev-parse", "HEAD")).stdout.trim();
  return { url: `file://${directory}`, sha, directory };
}

/** A buildspec of the given phases' commands. */
export function buildspec(phases: Record<string, string[]>, extra = ""): string {
  const lines = ["version: 0.2", extra, "phases:"];
  for (const [name, commands] of Object.entries(phases)) {
    lines.push(`  ${name}:`, "    commands:", ...commands.map((command) => `      - ${JSON.stringify(command)}`));
  }
  return `${lines.filter((line) => line !== "").join("\n")}\n`;
}

/** What GitHub says of each repository a test built: its clone URL, by the repository's id. */
const cloneUrls = new Map<number, string>();
let lastRepositoryId = 100;

/** GitHub as the runner asks it where a repository is: by id, for the URLs `buildRequest` registered. */
export const testRepositories: RepositorySource = async ({ repositoryId }) => {
  const cloneUrl = cloneUrls.get(repositoryId);
  if (cloneUrl === undefined) throw new Error(`GitHub does not show repository ${repositoryId}`);
  return { cloneUrl };
};

/** What the app stores as a repository's clone URL: a build never fetches from it. */
export const STORED_CLONE_URL = "https://attacker.example/not-the-repository.git";

/** A build of `repo`'s commit: the repository gets an id of its own, under which GitHub gives its URL (`testRepositories`). */
export function buildRequest(repo: { url: string; sha: string }, overrides: Partial<StartBuildRequest> = {}): StartBuildRequest {
  const repositoryId = ++lastRepositoryId;
  cloneUrls.set(repositoryId, repo.url);
  return {
    projectName: "local",
    sourceVersion: `refs/heads/main^{${repo.sha}}`,
    sourceType: "GITHUB",
    installationId: 7,
    repositoryId,
    sourceLocation: STORED_CLONE_URL,
    variables: [],
    idempotencyToken: randomUUID(),
    noCache: false,
    ...overrides,
  };
}

/** The bubblewrap sandbox as the app opens it, hiding `hidden` (and the work root); a test fails where it cannot be opened. */
export async function bubblewrap(workRoot: string, hidden: string[] = []): Promise<BuildSandbox> {
  const opened = await openBubblewrap({ hidden, workRoot, searchPath: process.env.PATH, appUid: process.getuid?.() });
  if (!opened.ok) throw new Error(opened.problem);
  return opened.sandbox;
}

/** A runner on a fresh data directory, building in the bubblewrap sandbox unless told otherwise. */
export async function localRunner(options: Partial<LocalRunnerOptions> = {}): Promise<{ runner: LocalRunner; dataDir: string; workRoot: string }> {
  const dataDir = options.dataDir ?? (await temporaryDirectory());
  const workRoot = options.workRoot ?? (await workDirectory());
  const runner = new LocalRunner({
    dataDir,
    workRoot,
    sandbox: options.sandbox ?? (await bubblewrap(workRoot, [dataDir])),
    source: testRepositories,
    secretValue: async () => undefined,
    concurrency: 4,
    log: silentLog,
    stopGraceMs: 1_000,
    ...options,
  });
  return { runner, dataDir, workRoot };
}

/** A work root that builds' own users can reach (others may search it, as /tmp). */
export async function workDirectory(): Promise<string> {
  const directory = await temporaryDirectory();
  await chmod(directory, 0o711);
  return directory;
}

/** Polls the build until `done` says so. */
export async function waitForBuild(
  runner: LocalRunner,
  id: string,
  done: (build: BuildSnapshot) => boolean = (build) => build.status !== "IN_PROGRESS",
  timeoutMs = 4_500,
): Promise<BuildSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [build] = await runner.get([id]);
    if (build && done(build)) return build;
    if (Date.now() > deadline) throw new Error(`build ${id} did not get there in time: ${JSON.stringify(build)}`);
    await sleep(20);
  }
}

/** The build's whole log as LocalLogSource gives it to the watcher, one text per line. */
export async function logLines(dataDir: string, id: string): Promise<string[]> {
  const source = new LocalLogSource(dataDir);
  const lines: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await source.read({ groupName: "local", streamName: id }, cursor);
    lines.push(...page.events.map((event) => event.message.replace(/\n$/, "")));
    cursor = page.cursor;
    if (page.atEnd) return lines;
  }
}

export function phaseSummary(build: BuildSnapshot): string[] {
  return build.phases.map((phase) => (phase.status ? `${phase.name} ${phase.status}` : phase.name));
}
