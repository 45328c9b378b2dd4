import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUBBLEWRAP_INSTALL, findExecutable } from "../adapters/local/sandbox/bubblewrap.js";
import { COLOURS, markdownLines, PLAIN, renderCheckRunCard, type Style } from "./check-run-card.js";
import { DemoApp, lastLogLines } from "./demo-app.js";
import { freePort } from "./free-port.js";
import { GitHubStandIn, type CheckRunState } from "./github-stand-in.js";
import { LiveView, type Output } from "./live-view.js";
import { FAILING_CHANGE, SAMPLE_FILES, SampleRepository, type Files } from "./sample-project.js";
import { DEMO_SENDER, issueCommentEvent, postWebhook, pushEvent, type DemoRepository } from "./webhooks.js";

export interface DemoOptions {
  /** Leave the app and its log pages up until `stopped` resolves. */
  keep: boolean;
  out: Output;
  /** The demo's own environment: PATH, HOME and TMPDIR, NO_COLOR, and LOCAL_ISOLATION if the person set it. */
  env: NodeJS.ProcessEnv;
  /** Resolves when the person asks to stop (Ctrl-C). */
  stopped: Promise<void>;
}

/** The demo's repository on the GitHub stand-in, and the app's installation on it. */
const REPOSITORY = { id: 424242, owner: "demo", name: "nextjs-site", installationId: 77 };
const FULL_NAME = `${REPOSITORY.owner}/${REPOSITORY.name}`;
const CONFIG_PATH = ".github/codebuild.yml";
/** The most a build of the sample may take, provisioning to completion. */
const BUILD_TIMEOUT_MS = 120_000;
const COMMENT_TIMEOUT_MS = 60_000;
/** How often the check run is looked at, as a browser tab would refresh. */
const LOOK_EVERY_MS = 250;
const EXCERPT_LINES = 12;
const COMMENT = "/env set NEXT_PUBLIC_API_URL=https://api.example.com\n/env list";

const INTRO = [
  "codebuild-checks demo: a push, its build and its check run, with no GitHub account and no AWS.",
  "Nothing leaves this machine: a stand-in for GitHub's API and the app listen on 127.0.0.1 only, builds run here in a bubblewrap sandbox, and the sample project downloads nothing.",
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the demo needs on this machine and lacks, in words that say how to get it. */
async function missingTools(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!(await findExecutable("git", env.PATH)))
    return "The demo needs git, which is not installed (not found on PATH): install it (Debian and Ubuntu: apt-get install git) and run npm run demo again.";
  if (env.LOCAL_ISOLATION === "none" || (await findExecutable("bwrap", env.PATH))) return undefined;
  return (
    "The app runs every build in a bubblewrap sandbox, and bwrap is not installed (not found on PATH): " +
    `install it (${BUBBLEWRAP_INSTALL}) and run npm run demo again, or run LOCAL_ISOLATION=none npm run demo to build the demo's own sample without a sandbox.`
  );
}

/**
 * `npm run demo`: the app in embedded mode against a stand-in for GitHub on this machine. A sample
 * repository is pushed twice (a green build, then one whose lint step fails) and commented on with
 * `/env set`, every event a signed webhook over HTTP; each check run is shown as GitHub would show it
 * while it runs, with its log page's URL. Everything it made is removed when it ends.
 */
export class Demo {
  private readonly view: LiveView;
  private readonly style: Style;
  private directory: string | undefined;
  private github: GitHubStandIn | undefined;
  private app: DemoApp | undefined;
  private closing: Promise<void> | undefined;
  /** Both builds ended as they should and the app stays up (--keep) until `stopped`. */
  keeping = false;

  constructor(private readonly options: DemoOptions) {
    this.view = new LiveView(options.out);
    this.style = options.out.isTTY && !options.env.NO_COLOR ? COLOURS : PLAIN;
  }

  /** Runs the demo: 0 when both builds and the comment ended as they should, 1 otherwise. */
  async run(): Promise<number> {
    const { view, style } = this;
    view.say(style.bold(INTRO[0]!), INTRO[1]!, "");
    const missing = await missingTools(this.options.env);
    if (missing) {
      view.say(style.red(missing));
      return 1;
    }
    try {
      const outcome = await this.steps();
      view.say("", outcome.ok ? style.green(outcome.message) : style.red(outcome.message));
      if (outcome.ok && this.options.keep) {
        view.say(`The app and its log pages stay up (${outcome.logPage}): press Ctrl-C to stop.`);
        this.keeping = true;
        await this.options.stopped;
      }
      return outcome.ok ? 0 : 1;
    } catch (error) {
      view.settle();
      view.say("", style.red(`The demo stopped: ${(error as Error).message}.`));
      if (this.directory) {
        const lines = await lastLogLines(join(this.directory, "app.log"), 8);
        if (lines.length > 0) view.say("The app's last words:", ...lines.map((line) => `  ${line}`));
      }
      return 1;
    } finally {
      await this.close();
      if (this.keeping) view.say("Stopped: the app, GitHub's stand-in and everything the demo made are gone.");
    }
  }

  /** Stops the app and the stand-in and removes what the demo made; safe to call twice (Ctrl-C during a run). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.app?.stop();
      await this.github?.close();
      if (this.directory) await rm(this.directory, { recursive: true, force: true });
    })();
    return this.closing;
  }

  private async steps(): Promise<{ ok: boolean; message: string; logPage?: string }> {
    const { view, style } = this;
    const directory = (this.directory = await mkdtemp(join(this.options.env.TMPDIR || tmpdir(), "codebuild-checks-demo-")));
    const repository = new SampleRepository(join(directory, "repository"));
    await mkdir(repository.directory);
    await repository.init();

    view.say(`${style.bold("1.")} Starting the app in embedded mode: its table, secrets and builds live in ${directory}, removed at the end.`);
    const github = (this.github = new GitHubStandIn(await freePort()));
    await github.serve();
    const demoRepository: DemoRepository = { ...REPOSITORY, cloneUrl: `${github.origin}/${FULL_NAME}.git` };
    github.appOwner = REPOSITORY.owner;
    github.gitRepository(FULL_NAME, repository.directory, { id: REPOSITORY.id, installationId: REPOSITORY.installationId, private: false });
    github.permissions.set(DEMO_SENDER, "admin");
    const webhookSecret = randomBytes(16).toString("hex");
    const app = await this.startApp(directory, github, webhookSecret);
    view.say(`   The app answers at ${app.url} (GitHub's stand-in at ${github.origin}).`, "");

    const pushes: { files: Files; message: string; expected: "success" | "failure"; story: string }[] = [
      { files: SAMPLE_FILES, message: "Add the home and about pages", expected: "success", story: "a Next.js-style site with a buildspec.yml" },
      { files: FAILING_CHANGE, message: "Log each render of the home page", expected: "failure", story: "its lint step refuses console.log" },
    ];
    const runs: CheckRunState[] = [];
    let before = "0".repeat(40);
    for (const [index, push] of pushes.entries()) {
      const sha = await repository.commit(push.files, push.message);
      const config = push.files[CONFIG_PATH] ?? SAMPLE_FILES[CONFIG_PATH]!;
      for (const ref of [sha, "main"]) github.file(FULL_NAME, ref, CONFIG_PATH, config);
      view.say(`${style.bold(`${index + 2}.`)} git push: "${push.message}" (${push.story}), commit ${sha.slice(0, 7)} on main.`);
      const event = pushEvent(demoRepository, { before, after: sha, message: push.message, modified: Object.keys(push.files) });
      await this.deliver(app, webhookSecret, "push", event);
      before = sha;
      const run = await this.follow(github, sha);
      runs.push(run);
      view.say(`   Log page (Details on GitHub): ${style.bold(run.details_url ?? "none")}`, "");
    }

    view.say(
      `${style.bold("4.")} A comment on issue #1 sets a variable for the next builds and lists them:`,
      ...COMMENT.split("\n").map((line) => `     ${line}`),
    );
    const commentId = github.newId();
    await this.deliver(app, webhookSecret, "issue_comment", issueCommentEvent(demoRepository, { issueNumber: 1, id: commentId, body: COMMENT }));
    const verdict = await this.until(
      () => github.reactions.find((r) => r.commentId === commentId && (r.content === "+1" || r.content === "-1")),
      COMMENT_TIMEOUT_MS,
      "the app's answer to the comment",
    );
    const reply = github.comments.find((c) => c.issueNumber === 1);
    const reactions = github.reactions.filter((r) => r.commentId === commentId).map((r) => (r.content === "eyes" ? "👀" : r.content === "+1" ? "👍" : "👎"));
    view.say(
      `   The app reacted ${reactions.join(" then ")}${reply ? " and replied:" : "."}`,
      ...markdownLines(reply?.body ?? "").map((line) => `   │ ${line}`),
      "",
    );

    const [green, red] = runs;
    const ok = green?.conclusion === "success" && red?.conclusion === "failure" && verdict.content === "+1";
    const message = ok
      ? "Done: the first build succeeded and the second failed in its lint step, as they should, and the comment was applied."
      : `Not as expected: the builds ended ${runs.map((r) => r.conclusion).join(" and ")} (expected success and failure), the comment got ${verdict.content}.`;
    return { ok, message, logPage: red?.details_url };
  }

  private async startApp(directory: string, github: GitHubStandIn, webhookSecret: string): Promise<DemoApp> {
    const { env } = this.options;
    const appTmp = join(directory, "tmp");
    await mkdir(appTmp);
    // Builds run as users of their own when the app runs as root: they must be able to pass through.
    await chmod(directory, 0o711);
    await chmod(appTmp, 0o711);
    const port = await freePort();
    const appEnv: Record<string, string> = {
      PATH: env.PATH ?? "/usr/bin:/bin",
      HOME: env.HOME ?? directory,
      LANG: "C.UTF-8",
      // Everything the app makes in the temporary directory (builds' workspaces, the store's socket) goes with the demo's.
      TMPDIR: appTmp,
      APP_ID: "1",
      PRIVATE_KEY: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      WEBHOOK_SECRET: webhookSecret,
      GHE_HOST: github.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: join(directory, "data"),
      POLL_INTERVAL_MS: "500",
      CHECK_UPDATE_INTERVAL_MS: "1000",
      ...(env.LOCAL_ISOLATION && { LOCAL_ISOLATION: env.LOCAL_ISOLATION }),
    };
    const app = (this.app = new DemoApp(port, appEnv, { cwd: directory, logFile: join(directory, "app.log") }));
    await app.ready();
    return app;
  }

  private async deliver(app: DemoApp, secret: string, event: string, payload: unknown): Promise<void> {
    const response = await postWebhook(app.webhookUrl, secret, event, payload);
    if (!response.ok) throw new Error(`the app answered the ${event} webhook with ${response.status}: ${await response.text()}`);
  }

  /** Shows the commit's check run as it changes, until it completes. */
  private async follow(github: GitHubStandIn, sha: string): Promise<CheckRunState> {
    const deadline = Date.now() + BUILD_TIMEOUT_MS;
    let seen = -1;
    for (;;) {
      const run = github.runsFor(sha)[0];
      if (run && run.history.length !== seen) {
        seen = run.history.length;
        this.view.live(
          renderCheckRunCard(run, { style: this.style, excerptLines: EXCERPT_LINES }).map((line) => `   ${line}`),
          `${run.status} ${run.output?.title ?? ""}`,
        );
        if (run.status === "completed") {
          this.view.settle();
          return run;
        }
      }
      if (Date.now() > deadline) throw new Error(`the check run of ${sha.slice(0, 7)} did not complete within ${BUILD_TIMEOUT_MS / 1000} s`);
      await sleep(LOOK_EVERY_MS);
    }
  }

  private async until<T>(found: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = found();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`no sign of ${what} within ${timeoutMs / 1000} s`);
      await sleep(LOOK_EVERY_MS);
    }
  }
}
