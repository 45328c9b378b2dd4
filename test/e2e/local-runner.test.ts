import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestApp, waitFor, WEBHOOK_SECRET, type TestApp } from "../support/app.js";
import { markedProcesses, processMarker } from "../support/processes.js";
import { examplePayload, pushPayload, sendWebhook } from "../support/webhooks.js";

/**
 * Embedded mode end to end (SPEC 9): no AWS settings, so the table is dynalite in the app's process
 * under DATA_DIR, secrets are an encrypted file there, and builds run with bash in a bubblewrap sandbox
 * on this machine from a real git repository, which the fake GitHub serves over git's HTTP protocol
 * at the clone URL it gives for the repository's id.
 */
const TIMEOUT_MS = 60_000;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.email=dev@example.com", "-c", "user.name=Dev", "-c", "init.defaultBranch=main", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
}

/** A git repository with one commit holding these files; its head sha. */
function commitRepository(dir: string, files: Record<string, string>): string {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "Commit");
  return git(dir, "rev-parse", "HEAD");
}

const BUILDSPEC = `version: 0.2
env:
  variables:
    WHO: buildspec
phases:
  install:
    commands:
      - echo "installing for $WHO"
  build:
    commands:
      - echo "greeting is $GREETING"
      - test "$API_TOKEN" = "tok-123456789" && echo "token is $API_TOKEN"
      - test -z "$WEBHOOK_SECRET" && echo "the app's own environment is not here"
`;

describe("embedded mode with RUNNER=local, end to end over HTTP", () => {
  let dataDir: string;
  let repoDir: string;
  let app: TestApp | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "cbc-data-"));
    repoDir = mkdtempSync(path.join(tmpdir(), "cbc-repo-"));
    git(repoDir, "init", "-q");
  });

  afterEach(async () => {
    await app?.github.close();
    await app?.stop();
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(repoDir, { recursive: true, force: true });
  });

  const start = async () => {
    app = await startTestApp({ AWS_REGION: "", RUNNER: "", STORE: "", TABLE_AUTO_CREATE: "", DATA_DIR: dataDir, LOCAL_SECRETS_KEY: "" });
    app.github.permissions.set("maintainer", "write");
    const repository = pushPayload("0".repeat(40)).repository;
    app.github.gitRepository(repository.full_name, repoDir, { id: repository.id, installationId: 7 });
    // git runs in a process of its own: it reaches the fake GitHub over real HTTP.
    await app.github.serve();
    return app;
  };

  /**
   * GitHub's example push, of `sha` in the local repository. Its clone_url is not where the code is:
   * the runner asks GitHub where the repository is, by its id, and never fetches from a URL it stored.
   */
  function push(sha: string, options: { private?: boolean } = {}) {
    const payload = pushPayload(sha, { private: options.private ?? true });
    payload.repository = { ...payload.repository, clone_url: "https://attacker.example/not-the-repository.git" };
    return payload;
  }

  function comment(body: string) {
    const payload = examplePayload("issue_comment", (p) => p.action === "created");
    payload.installation = { id: 7 };
    payload.comment = { ...payload.comment, id: Math.floor(Math.random() * 1e9), body, user: { ...payload.comment.user, login: "maintainer", type: "User" } };
    payload.sender = { ...payload.sender, login: "maintainer", type: "User" };
    payload.repository = { ...payload.repository, private: true };
    payload.issue.pull_request = { url: "https://api.github.com/repos/x/y/pulls/1" };
    return payload;
  }

  test(
    "a push runs the repository's buildspec in a fresh checkout: real log lines in the completed check run, stored variables and secrets kept across a restart, secrets masked",
    async () => {
      let running = await start();
      expect((await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "issue_comment", comment("/env set GREETING=hello-from-the-table"))).status).toBe(200);
      expect((await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "issue_comment", comment("/secret set API_TOKEN=tok-123456789"))).status).toBe(200);
      await running.running.app!.intake.drained();
      await running.stop();

      // Restarted on the same DATA_DIR: what was stored is still there.
      running = app = await start();
      const sha = commitRepository(repoDir, { "buildspec.yml": BUILDSPEC, "README.md": "hello\n" });
      expect((await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "push", push(sha))).status).toBe(200);

      const run = await waitFor(() => running.github.runsFor(sha).find((r) => r.status === "completed"), "the completed check run", 40_000);
      expect(run.conclusion).toBe("success");
      const text = run.output?.text ?? "";
      expect(text).toContain("installing for buildspec");
      expect(text).toContain("greeting is hello-from-the-table");
      expect(text).toContain("token is ***");
      expect(text).not.toContain("tok-123456789");
      expect(text).toContain("the app's own environment is not here");
      expect(run.output?.summary).toMatch(/BUILD/);
      // The installation token was asked for one repository, contents: read; where to fetch from was asked with it, and git sent it there.
      const tokenRequest = running.github.requests.find(
        (r) => /\/access_tokens$/.test(r.path) && r.body && (r.body as { repository_ids?: unknown }).repository_ids,
      );
      expect(tokenRequest?.body).toEqual({ repository_ids: [push(sha).repository.id], permissions: { contents: "read" } });
      expect(running.github.requests.some((r) => r.path.startsWith("/api/v3/installation/repositories"))).toBe(true);
      const basic = Buffer.from("x-access-token:ghs_installation_token").toString("base64");
      expect(running.github.gitAuthorizations.length).toBeGreaterThan(0);
      expect(new Set(running.github.gitAuthorizations)).toEqual(new Set([`Basic ${basic}`]));
    },
    TIMEOUT_MS,
  );

  test(
    "a failing command fails its phase, and the check run says which",
    async () => {
      const running = await start();
      const sha = commitRepository(repoDir, {
        "buildspec.yml":
          "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - echo running the tests\n      - exit 3\n  build:\n    commands:\n      - echo never here\n",
      });
      await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "push", push(sha));
      const run = await waitFor(() => running.github.runsFor(sha).find((r) => r.status === "completed"), "the completed check run", 40_000);
      expect(run.conclusion).toBe("failure");
      expect(run.output?.title).toContain("PRE_BUILD");
      expect(run.output?.text).toContain("running the tests");
      expect(run.output?.text).not.toContain("never here");
    },
    TIMEOUT_MS,
  );

  test(
    "a newer push supersedes a running build: every process of it is stopped and the run completes cancelled",
    async () => {
      const running = await start();
      const marker = processMarker();
      const first = commitRepository(repoDir, {
        ".github/codebuild.yml": "cancel_in_progress: true\n",
        "buildspec.yml": `version: 0.2\nphases:\n  build:\n    commands:\n      - echo started; (exec -a ${marker} sleep 60) & wait\n`,
      });
      running.github.file(push(first).repository.full_name, first, ".github/codebuild.yml", "cancel_in_progress: true\n");
      await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "push", push(first));
      await waitFor(() => running.github.runsFor(first)[0]?.output?.text?.includes("started"), "the first build running", 40_000);

      const second = commitRepository(repoDir, { "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - echo quick\n" });
      running.github.file(push(second).repository.full_name, second, ".github/codebuild.yml", "cancel_in_progress: true\n");
      await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "push", push(second));

      const stopped = await waitFor(() => running.github.runsFor(first).find((r) => r.status === "completed"), "the first run completed", 40_000);
      expect(stopped.conclusion).toBe("cancelled");
      expect(stopped.output?.title).toBe(`Cancelled — superseded by ${second.slice(0, 7)}`);
      const next = await waitFor(() => running.github.runsFor(second).find((r) => r.status === "completed"), "the second run completed", 40_000);
      expect(next.conclusion).toBe("success");
      expect(markedProcesses(marker)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "a build that exports DEPLOY_URL with env.exported-variables becomes a production deployment at that address, a secret in it masked",
    async () => {
      const running = await start();
      expect((await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "issue_comment", comment("/secret set PREVIEW_TOKEN=tok-987654321"))).status).toBe(200);
      await running.running.app!.intake.drained();
      const sha = commitRepository(repoDir, {
        ".github/codebuild.yml": "deployment: true\n",
        "buildspec.yml": [
          "version: 0.2",
          "env:",
          "  exported-variables:",
          "    - DEPLOY_URL",
          "phases:",
          "  build:",
          "    commands:",
          "      - echo deploying",
          '      - export DEPLOY_URL="https://site-$(echo $COMMIT_SHA | cut -c1-7).example.com/?token=$PREVIEW_TOKEN"',
          "",
        ].join("\n"),
      });
      running.github.file(push(sha).repository.full_name, sha, ".github/codebuild.yml", "deployment: true\n");
      await sendWebhook(running.webhookUrl, WEBHOOK_SECRET, "push", push(sha));
      const run = await waitFor(() => running.github.runsFor(sha).find((r) => r.status === "completed"), "the completed check run", 40_000);
      expect(run.conclusion).toBe("success");
      const deployment = await waitFor(
        () => [...running.github.deployments.values()].find((d) => d.sha === sha && d.statuses.some((st) => st.state === "success")),
        "the deployment's success",
      );
      const address = `https://site-${sha.slice(0, 7)}.example.com/?token=***`;
      expect(deployment.request).toMatchObject({ environment: "production", production_environment: true });
      expect(deployment.statuses.at(-1)).toMatchObject({ state: "success", environment_url: address });
      expect(run.output?.summary).toContain(`(<${address}>)`);
      expect(JSON.stringify([...running.github.deployments.values(), running.github.runsFor(sha)])).not.toContain("tok-987654321");
    },
    TIMEOUT_MS,
  );
});
