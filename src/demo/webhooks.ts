import { createHmac, randomUUID } from "node:crypto";

/** The demo's repository, as GitHub describes it in webhooks and its REST API. */
export interface DemoRepository {
  id: number;
  owner: string;
  name: string;
  installationId: number;
  /** Where git fetches it: the GitHub stand-in's clone URL. */
  cloneUrl: string;
}

/** The person pushing and commenting. */
const SENDER = { login: "demo-user", id: 4242, type: "User" };

function repositoryOf(repository: DemoRepository): Record<string, unknown> {
  return {
    id: repository.id,
    name: repository.name,
    full_name: `${repository.owner}/${repository.name}`,
    owner: { login: repository.owner },
    default_branch: "main",
    private: false,
    clone_url: repository.cloneUrl,
  };
}

/** A push of `sha` to main, as GitHub sends it (the fields the app reads). */
export function pushEvent(repository: DemoRepository, push: { before: string; after: string; message: string; modified: string[] }): Record<string, unknown> {
  const commit = { id: push.after, message: push.message, added: [], removed: [], modified: push.modified };
  return {
    ref: "refs/heads/main",
    before: push.before,
    after: push.after,
    created: false,
    deleted: false,
    commits: [commit],
    head_commit: commit,
    repository: repositoryOf(repository),
    sender: SENDER,
    installation: { id: repository.installationId },
  };
}

/** A new comment on issue `issueNumber`, as GitHub sends it. */
export function issueCommentEvent(repository: DemoRepository, comment: { issueNumber: number; id: number; body: string }): Record<string, unknown> {
  return {
    action: "created",
    issue: { number: comment.issueNumber },
    comment: { id: comment.id, body: comment.body, user: SENDER },
    repository: repositoryOf(repository),
    sender: SENDER,
    installation: { id: repository.installationId },
  };
}

export const DEMO_SENDER = SENDER.login;

/** GitHub's signature of a webhook body (`X-Hub-Signature-256`). */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Posts a webhook to the app over HTTP, signed with the app's webhook secret as GitHub signs it. */
export async function postWebhook(url: string, secret: string, event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": sign(secret, body),
    },
    body,
  });
}
