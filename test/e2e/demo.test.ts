import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findExecutable } from "../../src/adapters/local/sandbox/bubblewrap.js";
import { TSX } from "../support/child-app.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The demo compiles the app when dist/ is older than src/ (in CI, always: dist/ is not in git), then runs two builds. */
const DEMO_TIMEOUT_MS = 240_000;

interface Demo {
  output: () => string;
  exit: Promise<number | null>;
  /** As a terminal's Ctrl-C does: to every process of the command (npm, its shell, the demo). */
  signal(signal: NodeJS.Signals): void;
}

const started: Demo[] = [];

/** A newcomer's command, as the README gives it, in a clean environment: no AWS, no GitHub, nothing of the tests'. */
function startDemo(command: string, args: string[], env: Record<string, string> = {}): Demo {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...(process.env.TMPDIR && { TMPDIR: process.env.TMPDIR }), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // A process group of its own, as a command typed in a terminal has.
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // Once every process holding its output has ended (npm may end first, of Ctrl-C).
  const exit = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  let running = true;
  void exit.then(() => (running = false));
  const demo: Demo = {
    output: () => output,
    exit,
    signal: (signal) => {
      if (running) process.kill(-child.pid!, signal);
    },
  };
  started.push(demo);
  return demo;
}

// A test that failed half-way leaves nothing running: the demo cleans up after Ctrl-C.
afterEach(async () => {
  for (const demo of started.splice(0)) {
    demo.signal("SIGINT");
    await demo.exit;
  }
});

async function waitForOutput(demo: Demo, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(demo.output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`the demo did not print ${pattern} in ${timeoutMs / 1000} s:\n${demo.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The demo run from its TypeScript (as the app's own child-process tests run the app); it starts the app the same way. */
const TSX_DEMO = ["--import", TSX, join(ROOT, "src", "demo", "main.ts")];

describe("npm run demo, end to end: the app, a stand-in for GitHub, two pushes and a comment", () => {
  test(
    "a green and a red check run shown as GitHub shows them, a comment applied, exit 0, nothing left behind",
    async () => {
      const demo = startDemo("npm", ["run", "demo"]);
      expect(await demo.exit).toBe(0);
      const output = demo.output();
      expect(output).toContain("Nothing leaves this machine");
      // The green build: its title, its phase table, the build's own output in the excerpt.
      expect(output).toMatch(/✓ CodeBuild · Build succeeded in \d+s/);
      expect(output).toMatch(/^ +BUILD +succeeded +\d+s$/m);
      expect(output).toContain("○  (Static)  prerendered as static content");
      // The red one: the failed phase, its message, the annotation from the lint step.
      expect(output).toContain("✗ CodeBuild · Build failed in PRE_BUILD");
      expect(output).toMatch(/^ +PRE_BUILD +failed +\d+s$/m);
      expect(output).toContain("> Error while executing command: node scripts/lint.mjs. Reason: exit status 1");
      expect(output).toContain("✗ pages/index.js:3  Unexpected console statement (no-console)");
      expect(output).toMatch(/Log page \(Details on GitHub\): http:\/\/127\.0\.0\.1:\d+\/builds\/[0-9a-f]{32}\n/);
      // The comment: acknowledged, and the stored variable listed for the next build.
      expect(output).toContain("The app reacted 👀 then 👍");
      expect(output).toContain("- NEXT_PUBLIC_API_URL (stored for all environments)");
      expect(output).toContain("Done: the first build succeeded and the second failed");
      const directory = /live in (\S+codebuild-checks-demo-\w+),/.exec(output)?.[1];
      expect(directory).toBeDefined();
      expect(existsSync(directory!)).toBe(false);
      const appUrl = /The app answers at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      await expect(fetch(`${appUrl}/healthz`)).rejects.toThrow();
    },
    DEMO_TIMEOUT_MS,
  );

  test(
    "--keep: the log page and the app stay up until Ctrl-C, then everything is removed and the demo exits 0",
    async () => {
      const demo = startDemo(process.execPath, [...TSX_DEMO, "--keep"]);
      const [, logPage] = await waitForOutput(demo, /stay up \((http:\/\/127\.0\.0\.1:\d+\/builds\/[0-9a-f]+)\): press Ctrl-C/, DEMO_TIMEOUT_MS);
      const directory = /live in (\S+codebuild-checks-demo-\w+),/.exec(demo.output())?.[1];
      expect(existsSync(directory!)).toBe(true);
      // The red build's log page, as its check run's Details link opens it.
      const page = await fetch(logPage!);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("Build failed in PRE_BUILD");
      expect(html).toContain("Unexpected console statement");
      expect(await (await fetch(new URL("/", logPage).toString())).text()).toContain("Healthy");

      demo.signal("SIGINT");
      expect(await demo.exit).toBe(0);
      expect(demo.output()).toContain("Stopped: the app, GitHub's stand-in and everything the demo made are gone.");
      expect(existsSync(directory!)).toBe(false);
      await expect(fetch(logPage!)).rejects.toThrow();
    },
    DEMO_TIMEOUT_MS,
  );

  test("an app that cannot start: the demo says why in the app's words, exits non-zero and removes what it made", async () => {
    const demo = startDemo(process.execPath, TSX_DEMO, { LOCAL_ISOLATION: "sometimes" });
    expect(await demo.exit).toBe(1);
    expect(demo.output()).toContain("The demo stopped: the app stopped while starting.");
    expect(demo.output()).toContain('Invalid LOCAL_ISOLATION="sometimes": expected bubblewrap or none');
    const directory = /live in (\S+codebuild-checks-demo-\w+),/.exec(demo.output())?.[1];
    expect(existsSync(directory!)).toBe(false);
  });

  test("without bubblewrap it says what to install and exits non-zero, having started nothing", async () => {
    // A PATH with git and nothing else: no bwrap.
    const bin = await mkdtemp(join(tmpdir(), "cbc-demo-path-"));
    try {
      await symlink((await findExecutable("git", process.env.PATH))!, join(bin, "git"));
      const demo = startDemo(process.execPath, TSX_DEMO, { PATH: bin });
      expect(await demo.exit).toBe(1);
      expect(demo.output()).toContain("bwrap is not installed (not found on PATH): install it (Debian and Ubuntu: apt-get install bubblewrap");
      expect(demo.output()).toContain("LOCAL_ISOLATION=none npm run demo");
      expect(demo.output()).not.toContain("Starting the app");
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  test("an unknown option is refused with the usage", async () => {
    const demo = startDemo(process.execPath, [...TSX_DEMO, "--kep"]);
    expect(await demo.exit).toBe(2);
    expect(demo.output()).toContain("Unknown option --kep.");
    expect(demo.output()).toContain("--keep   leave the app and its log pages up until Ctrl-C");
  });
});
