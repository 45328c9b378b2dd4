import { createRequire } from "node:module";
import { postWebhook, sign } from "../../src/demo/webhooks.js";

interface ExampleSet {
  name: string;
  examples: Record<string, unknown>[];
}

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleSet[];

/**
 * A real payload from @octokit/webhooks-examples (GitHub's own examples), deep-copied
 * so a test can change what it needs.
 */
export function examplePayload(event: string, pick: (payload: Record<string, unknown>) => boolean = () => true): Record<string, any> {
  const set = examples.find((e) => e.name === event);
  const found = set?.examples.find(pick);
  if (!found) throw new Error(`no example payload for ${event}`);
  return structuredClone(found) as Record<string, any>;
}

/** Signs and posts a webhook as GitHub does (the demo's own sender). */
export { postWebhook as sendWebhook, sign };

/** Another installation than the examples' 7, with a repository of its own (of the same owner). */
export interface OtherInstallation {
  id: number;
  repository: { id: number; name: string };
}

/**
 * GitHub's example push to a branch, made a push of `sha` to `main` (the default branch) by
 * installation 7 (or `installation`, to its repository); `private` makes its repository private.
 */
export function pushPayload(
  sha: string,
  options: { ref?: string; message?: string; private?: boolean; installation?: OtherInstallation } = {},
): Record<string, any> {
  const payload = examplePayload("push", (p) => String(p.ref).startsWith("refs/heads/"));
  const installation = options.installation;
  Object.assign(payload, { ref: options.ref ?? "refs/heads/main", after: sha, deleted: false, created: false, installation: { id: installation?.id ?? 7 } });
  payload.repository = { ...payload.repository, default_branch: "main", private: options.private ?? payload.repository.private };
  if (installation) {
    const { id, name } = installation.repository;
    const fullName = `${payload.repository.owner.login}/${name}`;
    const url = `https://github.com/${fullName}`;
    Object.assign(payload.repository, { id, name, full_name: fullName, url, html_url: url, clone_url: `${url}.git` });
  }
  payload.head_commit = { ...payload.head_commit, id: sha, message: options.message ?? "Fix the build" };
  return payload;
}

/**
 * GitHub's example pull request, made `action` on head `sha` of branch `feature/login` into `main`
 * by installation 7; `fork` moves the head to another repository, `bot` makes the author Dependabot.
 */
export function pullRequestPayload(action: string, sha: string, options: { fork?: boolean; bot?: boolean } = {}): Record<string, any> {
  const payload = examplePayload("pull_request", (p) => p.action === "opened");
  payload.action = action;
  payload.installation = { id: 7 };
  payload.pull_request.head.sha = sha;
  payload.pull_request.head.ref = "feature/login";
  payload.pull_request.base.ref = "main";
  if (options.fork) payload.pull_request.head.repo = { ...payload.pull_request.head.repo, id: 424242, full_name: "stranger/fork" };
  if (options.bot) payload.pull_request.user = { ...payload.pull_request.user, login: "dependabot[bot]", type: "Bot" };
  return payload;
}
