import { codeSpan, markdownLink } from "../checks/markdown.js";
import { shortSha } from "../checks/title.js";
import type { DeploymentState } from "./deployment.js";
import type { DeploymentThread, ThreadEntry } from "./thread.js";

/**
 * The first line of the app's deployment comment on a pull request: hidden when rendered, it finds
 * the comment again where the app's own record of it is lost (a crash between creating it and
 * recording it). Only a comment the app itself wrote counts (see the comment port).
 */
export const DEPLOYMENT_COMMENT_MARKER = "<!-- codebuild-checks:deployments -->";

/** GitHub refuses a comment body over 65,536 characters ("Create an issue comment": body maxLength). */
export const COMMENT_BODY_MAX_CHARACTERS = 65_536;

const STATE_WORDS: Record<DeploymentState, string> = {
  queued: "⏳ Queued",
  in_progress: "🔨 Building",
  success: "✅ Ready",
  failure: "❌ Failed",
  error: "⚠️ Error",
  inactive: "⏹️ Inactive",
};

export interface CommentContext {
  /** The log page of a build, by its DEPLOYMENT_ID (SPEC 7). */
  logUrl: (deploymentId: string) => string;
}

/**
 * The pull request's deployment comment (SPEC 10): the latest commit, its state, its preview and
 * its log, and the earlier commits folded below, newest first. Every value that came from a build
 * (its DEPLOY_URL) is an address the app checked, rendered as a link whose text and destination
 * cannot add markup; the oldest commits give way when GitHub's size limit would be passed.
 */
export function renderDeploymentComment(thread: Pick<DeploymentThread, "entries">, context: CommentContext): string {
  let entries = thread.entries;
  for (;;) {
    const body = render(entries, context);
    if (body.length <= COMMENT_BODY_MAX_CHARACTERS || entries.length <= 1) return body;
    entries = entries.slice(0, -1);
  }
}

function render(entries: readonly ThreadEntry[], context: CommentContext): string {
  const [latest, ...earlier] = entries;
  if (latest === undefined) return `${DEPLOYMENT_COMMENT_MARKER}\nNo deployments yet.`;
  const parts = [
    DEPLOYMENT_COMMENT_MARKER,
    `**Preview** of the latest commit ${codeSpan(shortSha(latest.sha))}: ${STATE_WORDS[latest.state]}${latest.url === undefined ? "" : ` — ${link(hostOf(latest.url), latest.url)}`} · ${link("Build log", context.logUrl(latest.deploymentId))}`,
  ];
  if (earlier.length > 0) {
    parts.push(
      [
        `<details><summary>Earlier commits (${earlier.length})</summary>`,
        "",
        "| Commit | State | Preview | Log |",
        "| --- | --- | --- | --- |",
        ...earlier.map((entry) => row(entry, context)),
        "",
        "</details>",
      ].join("\n"),
    );
  }
  return parts.join("\n\n");
}

function row(entry: ThreadEntry, context: CommentContext): string {
  const preview = entry.url === undefined ? "" : link(hostOf(entry.url), entry.url);
  return `| ${codeSpan(shortSha(entry.sha))} | ${STATE_WORDS[entry.state]} | ${preview} | ${link("Log", context.logUrl(entry.deploymentId))} |`;
}

/**
 * A link that neither ends early nor splits a table's cell (GitHub splits cells at `|`, even in a
 * link); brackets are percent-encoded too, so that no address reads like a second link to anyone.
 */
function link(label: string, url: string): string {
  return markdownLink(
    label,
    url.replace(/[|()[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  );
}

/** The address's host, as the link's text; the whole address where it has none to show. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** True for the body of a deployment comment (its first line is the marker). */
export function isDeploymentComment(body: string | null | undefined): boolean {
  return body?.startsWith(DEPLOYMENT_COMMENT_MARKER) === true;
}
