import { FakeCodeBuild } from "../support/fake-codebuild.js";
import { startTestApp, waitFor, WEBHOOK_SECRET, type TestApp } from "../support/app.js";
import { examplePayload, sendWebhook } from "../support/webhooks.js";
import { sealValue } from "../../src/secrets/sealed-value.js";
import { decodeBase64 } from "../../src/secrets/sealed-box.js";
import { COMMANDS, helpTable, USAGE } from "../../src/workflows/commands/registry.js";
import { escapeMarkdown } from "../../src/checks/markdown.js";

const HEAD = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const SECRET_VALUE = "plain-s3cret-value-9000";

describe("slash commands in pull-request comments, end to end over HTTP", () => {
  let codebuild: FakeCodeBuild;
  let app: TestApp;
  let repo: { id: number; full_name: string; owner: { login: string }; private: boolean };
  let nextComment = 5000;

  async function start(env: Record<string, string> = {}) {
    codebuild = new FakeCodeBuild();
    app = await startTestApp({ AWS_ENDPOINT_URL_CODEBUILD: await codebuild.start(), CODEBUILD_PROJECT: "shared-builds", ...env });
    repo = examplePayload("issue_comment").repository;
    app.github.permissions.set("maintainer", "write");
    app.github.permissions.set("reader", "read");
    app.github.pulls.set(1, {
      number: 1,
      state: "open",
      head: { sha: HEAD, ref: "feature", repo: { id: repo.id } },
      base: { ref: "main", repo: { id: repo.id } },
      user: { login: "maintainer", id: 501, type: "User" },
    });
  }

  afterEach(async () => {
    try {
      await app.stop();
    } finally {
      await codebuild.stop();
    }
  });

  /** A real `issue_comment` payload with this body, by this user, on pull request #1 (or issue #1). */
  function comment(body: string, login = "maintainer", options: { pullRequest?: boolean; private?: boolean; type?: string } = {}) {
    const payload = examplePayload("issue_comment", (p) => p.action === "created");
    payload.installation = { id: 7 };
    payload.comment = { ...payload.comment, id: nextComment++, body, user: { ...payload.comment.user, login, type: options.type ?? "User" } };
    payload.sender = { ...payload.sender, login, type: options.type ?? "User" };
    payload.repository.private = options.private ?? false;
    if (options.pullRequest ?? true) payload.issue.pull_request = { url: "https://api.github.com/repos/x/y/pulls/1" };
    return payload;
  }

  async function send(payload: Record<string, any>) {
    const response = await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "issue_comment", payload);
    expect(response.status).toBe(200);
    await app.running.app!.intake.drained();
    return payload.comment.id as number;
  }

  const reactionsOf = (id: number) => app.github.reactions.filter((r) => r.commentId === id).map((r) => r.content);
  const lastReply = () => app.github.comments.at(-1)?.body ?? "";

  test("/env set stores variables, /env list shows them, /env unset removes them", async () => {
    await start();
    const set = await send(comment('/env set API_URL=https://staging.example.com SITE="My site" --environment preview'));
    expect(reactionsOf(set)).toEqual(["eyes", "+1"]);
    const entries = (await app.running.app!.intake) && (await fetchVariables());
    expect(entries).toEqual(expect.arrayContaining(["preview:API_URL", "preview:SITE"]));

    const list = await send(comment("/env list"));
    expect(reactionsOf(list)).toEqual(["eyes", "+1"]);
    expect(lastReply()).toContain("`API_URL`");
    expect(lastReply()).toContain("stored for this environment");
    expect(lastReply()).not.toContain("staging.example.com"); // public repository: names only

    const unset = await send(comment("/env unset SITE --environment preview"));
    expect(reactionsOf(unset)).toEqual(["eyes", "+1"]);
    expect(await fetchVariables()).toEqual(["preview:API_URL"]);
  });

  async function fetchVariables(): Promise<string[]> {
    const { DynamoDbVariableStore } = await import("../../src/adapters/aws/dynamodb/variables.js");
    const store = new DynamoDbVariableStore(app.dynamo.client, "codebuild-checks");
    return (await store.list(repo.id)).map((e) => `${e.scope}:${e.name}`).sort();
  }

  /** Reads of the repository's stored variables (their items live under `REPO#<id>`) since the last call, by operation. */
  function variableReads(): Record<string, number> {
    const reads: Record<string, number> = {};
    for (const r of app.dynamo.requests.splice(0)) {
      if (["GetItem", "BatchGetItem", "Query"].includes(r.operation) && r.body.includes(`"REPO#${repo.id}"`))
        reads[r.operation] = (reads[r.operation] ?? 0) + 1;
    }
    return reads;
  }

  test("/env set on a pull request: the reply, the stored value, and the next build's variables and check run, with one read of the store each", async () => {
    await start();
    await send(comment("/env set WARM=1\n/env set WARM=2 --environment production\n/env set WARM=3 --environment preview"));
    variableReads();
    // Before one read per comment: 30 reads (19 GetItem, 11 Query) for this comment with all three scopes stored.
    const set = await send(comment("/env set API_URL=https://staging.example.com --environment preview"));
    expect(reactionsOf(set)).toEqual(["eyes", "+1"]);
    expect(lastReply()).toBe("`maintainer`:\n\nSet `API_URL` for the preview environment.");
    // One list (the scopes' pointers twice, one query each), the write's own pointer read and its clean-up's queries.
    expect(variableReads()).toEqual({ BatchGetItem: 2, Query: 5, GetItem: 1 });
    expect(await fetchVariables()).toContain("preview:API_URL");

    const pr = examplePayload("pull_request", (p) => p.action === "opened");
    pr.installation = { id: 7 };
    pr.repository = examplePayload("issue_comment").repository;
    pr.pull_request.head.sha = HEAD;
    pr.pull_request.head.repo = { ...pr.pull_request.head.repo, id: repo.id };
    pr.pull_request.base.repo = { ...pr.pull_request.base.repo, id: repo.id };
    await app.running.app!.watcher.stop();
    variableReads();
    expect((await sendWebhook(app.webhookUrl, WEBHOOK_SECRET, "pull_request", pr)).status).toBe(200);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    expect(input!.environmentVariablesOverride).toEqual(expect.arrayContaining([{ name: "API_URL", value: "https://staging.example.com", type: "PLAINTEXT" }]));
    // The build's one read: its masking, its secrets' tags and its variables (before: three).
    expect(variableReads()).toEqual({ BatchGetItem: 2, Query: 3 });

    app.running.app!.watcher.start();
    codebuild.endEarlier([...codebuild.builds.keys()][0]!);
    const run = await waitFor(() => app.github.runsFor(HEAD).find((r) => r.status === "completed"), "completion", 15_000);
    expect(run.conclusion).toBe("success");
    expect(JSON.stringify(run.output)).toContain("`API_URL` (stored, environment)");
  });

  test("an unknown subcommand is refused with the verb named and the commands of its word listed", async () => {
    await start();
    const id = await send(comment("/env frobnicate A=1"));
    expect(reactionsOf(id)).toEqual(["eyes", "-1"]);
    expect(lastReply()).toBe(
      `\`maintainer\`:\n\nLine 1, \`/env\`: ${escapeMarkdown('"frobnicate" is not a subcommand of /env: use set, unset or list (options come after it)')}\n` +
        `Usage: \`${USAGE["env set"]} or ${USAGE["env unset"]} or ${USAGE["env list"]}\``,
    );
    // A line of a word no command has is not a command: it is ignored (SPEC 6).
    await send(comment("/deploy now"));
    expect(app.github.reactions.filter((r) => r.commentId === id + 1)).toEqual([]);
  });

  test("a reader's command changes nothing and is told why", async () => {
    await start();
    const id = await send(comment("/env set API_URL=x", "reader"));
    expect(reactionsOf(id)).toEqual(["eyes", "-1"]);
    expect(lastReply()).toContain("need write access");
    expect(await fetchVariables()).toEqual([]);
  });

  test("comments by bots, and lines in code blocks or quotes, are ignored", async () => {
    await start();
    await send(comment("/env set API_URL=x", "dependabot[bot]", { type: "Bot" }));
    await send(comment("```\n/env set API_URL=x\n```\n> /env set OTHER=y"));
    expect(app.github.reactions).toEqual([]);
    expect(await fetchVariables()).toEqual([]);
  });

  test("a malformed command gets the usage line and -1", async () => {
    await start();
    const id = await send(comment("/env set bad-name=1"));
    expect(reactionsOf(id)).toEqual(["eyes", "-1"]);
    expect(lastReply()).toMatch(/Usage: `\/env set KEY=VALUE/);
  });

  test("/help answers with the table of commands, made from the registry", async () => {
    await start();
    const id = await send(comment("/help", "reader"));
    expect(reactionsOf(id)).toEqual(["eyes", "+1"]);
    expect(lastReply()).toBe(`\`reader\`:\n\n${helpTable()}`);
    for (const command of COMMANDS) expect(lastReply()).toContain(`| \`${command.usage}\` | ${command.effect} |`);
  });

  test("/secret set with a plain value on a public repository is refused, and the comment deleted", async () => {
    await start();
    const id = await send(comment(`/secret set NPM_TOKEN=${SECRET_VALUE}`));
    expect(app.github.deletedComments).toContain(id);
    expect(reactionsOf(id)).toEqual(["eyes"]);
    expect(lastReply()).toContain("must be sealed");
    expect(JSON.stringify(app.github.comments)).not.toContain(SECRET_VALUE);
    expect(app.secretsManager.secrets.size).toBe(1); // only the app's own sealing key
  });

  test("/secret set with a plain value on a private repository is stored, with advice to rotate", async () => {
    await start();
    const id = await send(comment(`/secret set NPM_TOKEN=${SECRET_VALUE} --environment production`, "maintainer", { private: true }));
    expect(app.github.deletedComments).toContain(id);
    expect(lastReply()).toContain("rotating");
    expect(JSON.stringify(app.github.comments)).not.toContain(SECRET_VALUE);
    expect(await fetchVariables()).toEqual(["production:NPM_TOKEN"]);
  });

  test("a sealed value is accepted on a public repository, and refused when made for another key", async () => {
    await start();
    const keyResponse = await fetch(`${app.url}/api/public-key`);
    const { key } = (await keyResponse.json()) as { key: string };
    const publicKey = decodeBase64(key)!;
    const expires = new Date(Date.now() + 3600_000);
    const good = sealValue(publicKey, { repositoryId: repo.id, environment: "preview", key: "NPM_TOKEN" }, SECRET_VALUE, expires);
    const replayed = sealValue(publicKey, { repositoryId: repo.id + 1, environment: "preview", key: "NPM_TOKEN" }, SECRET_VALUE, expires);

    const bad = await send(comment(`/secret set NPM_TOKEN=sealed:${replayed} --environment preview`));
    expect(app.github.deletedComments).toContain(bad);
    expect(lastReply()).toContain("was not set");
    expect(await fetchVariables()).toEqual([]);

    await send(comment(`/secret set NPM_TOKEN=sealed:${good} --environment preview`));
    expect(lastReply()).toContain("Set secret `NPM_TOKEN`");
    expect(await fetchVariables()).toEqual(["preview:NPM_TOKEN"]);
    const stored = [...app.secretsManager.secrets.values()].find((s) => s.name.endsWith("/preview/NPM_TOKEN"));
    expect(app.secretsManager.currentValue(stored!.name)).toBe(SECRET_VALUE);
  });

  test("/build builds the pull request's head; on an issue it explains it needs a pull request", async () => {
    await start();
    const id = await send(comment("/build"));
    expect(reactionsOf(id)).toEqual(["eyes", "+1"]);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    expect(input!.sourceVersion).toBe(`refs/pull/1/head^{${HEAD}}`);

    const onIssue = await send(comment("/build", "maintainer", { pullRequest: false }));
    expect(reactionsOf(onIssue)).toEqual(["eyes", "-1"]);
    expect(lastReply()).toContain("comment on the pull request");
  });

  test("/build <sha> approves a fork's pull request only for its current head, by its full sha", async () => {
    await start({ CODEBUILD_UNTRUSTED_ROLE: "arn:aws:iam::123456789012:role/untrusted" });
    app.github.pulls.set(1, {
      ...app.github.pulls.get(1)!,
      head: { sha: HEAD, ref: "feature", repo: { id: 999 } },
      user: { login: "stranger", id: 9, type: "User" },
    });
    const stale = await send(comment("/build 0123456"));
    expect(reactionsOf(stale)).toEqual(["eyes", "-1"]);
    expect(lastReply()).toContain("is not the head");
    const bare = await send(comment("/build"));
    expect(reactionsOf(bare)).toEqual(["eyes", "-1"]);
    // A fork can push a commit crafted to share a short sha with the one that was reviewed.
    const short = await send(comment(`/build ${HEAD.slice(0, 7)}`));
    expect(reactionsOf(short)).toEqual(["eyes", "-1"]);
    expect(lastReply()).toContain("needs its full sha");
    expect(lastReply()).toContain(`\`/build ${HEAD}\``);
    const almost = await send(comment(`/build ${HEAD.slice(0, 39)}`));
    expect(reactionsOf(almost)).toEqual(["eyes", "-1"]);
    expect(codebuild.calls("StartBuild")).toHaveLength(0);

    const approved = await send(comment(`/build ${HEAD}`));
    expect(reactionsOf(approved)).toEqual(["eyes", "+1"]);
    const [input] = await waitFor(() => codebuild.calls("StartBuild").length > 0 && codebuild.calls("StartBuild"), "StartBuild");
    expect(input).toMatchObject({ serviceRoleOverride: "arn:aws:iam::123456789012:role/untrusted", cacheOverride: { type: "NO_CACHE" } });
  });

  test("/cancel stops the pull request's running build and its check run completes cancelled", async () => {
    await start();
    await send(comment("/build"));
    await waitFor(() => codebuild.builds.size > 0, "StartBuild");
    const id = await send(comment("/cancel"));
    expect(reactionsOf(id)).toEqual(["eyes", "+1"]);
    expect(codebuild.calls("StopBuild")).toHaveLength(1);
    const run = await waitFor(() => app.github.runsFor(HEAD).find((r) => r.status === "completed"), "completion", 15_000);
    expect(run.conclusion).toBe("cancelled");
  });

  test("more than ten commands in one comment: nothing is done", async () => {
    await start();
    const body = Array.from({ length: 11 }, (_, i) => `/env set K${i}=v`).join("\n");
    const id = await send(comment(body));
    expect(reactionsOf(id)).toEqual(["eyes", "-1"]);
    expect(lastReply()).toContain("at most 10");
    expect(await fetchVariables()).toEqual([]);
  });
});
