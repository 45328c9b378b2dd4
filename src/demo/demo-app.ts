import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

/** The app's entry point beside this module: `dist/main.js` when the demo runs compiled, `src/main.ts` under tsx. */
const APP_ENTRY = fileURLToPath(new URL(`../main${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
/** How long the app may take to answer /healthz (the sandbox is tried at start-up). */
const START_TIMEOUT_MS = 60_000;
/** How long the app may drain after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * The app as `npm start` runs it, in a process of its own, configured only by the environment it is
 * given (nothing of the demo's own, no `.env`: it runs in `cwd`), its log written to `logFile`.
 */
export class DemoApp {
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private ended = false;

  constructor(
    readonly port: number,
    env: Record<string, string>,
    options: { cwd: string; logFile: string },
  ) {
    this.url = `http://127.0.0.1:${port}`;
    const log = createWriteStream(options.logFile, { mode: 0o600 });
    // execArgv carries tsx's loader when the demo itself runs under it.
    this.child = spawn(process.execPath, [...process.execArgv, APP_ENTRY], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.pipe(log, { end: false });
    this.child.stderr!.pipe(log, { end: false });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        this.ended = true;
        log.end();
        resolve(code);
      }),
    );
  }

  get webhookUrl(): string {
    return `${this.url}/api/github/webhooks`;
  }

  /** Resolves once /healthz answers 200; rejects if the app exits first or takes too long. */
  async ready(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.ended) throw new Error("the app stopped while starting");
      if (
        await fetch(`${this.url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the app did not answer ${this.url}/healthz within ${START_TIMEOUT_MS / 1000} s`);
  }

  /** SIGTERM (the app drains), then SIGKILL if it has not ended in time. */
  async stop(): Promise<void> {
    if (this.ended) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * The last `count` lines of the app's log that are not routine (INFO and DEBUG lines, and the
 * indented details under each line, are left out): what a failure message quotes.
 */
export async function lastLogLines(logFile: string, count: number): Promise<string[]> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^(INFO|DEBUG|TRACE)\b/.test(line) && !/^\s/.test(line))
    .slice(-count);
}
