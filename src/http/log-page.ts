import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { MaskedText } from "../variables/masking.js";
import type { BuildFactsView, BuildStateView, PhaseView } from "./build-view.js";

/** The page's script and styles: same-origin files, so the CSP needs no inline code at all. */
export const LOG_PAGE_SCRIPT_PATH = "/builds/assets/log-page.js";
export const LOG_PAGE_STYLES_PATH = "/builds/assets/log-page.css";

/** The most log text the page holds itself (SPEC 5: bounded bytes per page, whatever a build prints); its script reads the rest. */
export const PAGE_LOG_MAX_BYTES = 1024 * 1024;

/** Everything the log page shows; log lines are plain text (escapes removed), escaped here. */
export interface LogPageView {
  state: BuildStateView;
  facts: BuildFactsView;
  log: {
    /** Plain text, masked as served. */
    lines: MaskedText[];
    /** Where the page's script goes on reading (`GET /api/builds/:id/logs?nextToken=`). */
    nextToken: string;
    /** Nothing more will come: the page's script need not follow the build. */
    complete: boolean;
    /** More is stored than the page holds (PAGE_LOG_MAX_BYTES): the page's script reads it. */
    more: boolean;
    /** CodeBuild writes this build's log to S3 only: there is none to show. */
    s3Only: boolean;
  };
  urls: { logs: string; state: string; cancel: string };
  /** The signed-in user, or a link to sign in; neither while sign-in is not configured. */
  account: { login: string } | { signInUrl: string } | undefined;
  /** The form's token, for a user with write while the build runs; undefined: no Cancel button. */
  cancelToken: string | undefined;
  /** The visitor just asked to cancel. */
  cancelRequested: boolean;
}

/** The build's log page (SPEC 7): `hono/html` escapes every value put into it. */
export function renderLogPage(view: LogPageView): string {
  const { state, facts, log, urls } = view;
  return String(
    page`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${state.title} · ${facts.repository.fullName}</title>
<link rel="stylesheet" href="${LOG_PAGE_STYLES_PATH}">
<script src="${LOG_PAGE_SCRIPT_PATH}" defer></script>
</head>
<body>
<header class="bar">
<span class="brand">codebuild-checks</span>
<nav class="account">${accountPart(view.account)}</nav>
</header>
<main id="build" data-repository="${facts.repository.fullName}" data-logs-url="${urls.logs}" data-state-url="${urls.state}" data-next-token="${log.nextToken}" data-complete="${String(log.complete)}">
<section class="summary">
<p class="crumbs"><a href="${facts.repository.url}" rel="noreferrer">${facts.repository.fullName}</a>${facts.repository.private ? page`<span class="tag">Private</span>` : ""}<span class="sep">/</span>${facts.checkName}</p>
<div class="headline">
<span id="badge" class="badge tone-${state.badge.tone}">${state.badge.label}</span>
<h1 id="title">${state.title}</h1>
</div>
<dl class="facts">
<div><dt>Commit</dt><dd><a href="${facts.commit.url}" rel="noreferrer"><code>${facts.commit.short}</code></a></dd></div>
<div><dt>${facts.source.heading}</dt><dd><a href="${facts.source.url}" rel="noreferrer">${facts.source.label}</a></dd></div>
<div><dt>Event</dt><dd>${facts.event}</dd></div>
<div><dt>Environment</dt><dd>${facts.environment}</dd></div>
<div><dt>Requested</dt><dd>${facts.createdAt}</dd></div>
${state.deployUrl === undefined ? "" : page`<div><dt>Deployed to</dt><dd><a id="deploy-url" href="${state.deployUrl}" rel="noreferrer nofollow">${state.deployUrl}</a></dd></div>`}
</dl>
${view.cancelRequested ? page`<p id="cancel-notice" class="notice" role="status">Cancellation requested: the build stops in a few seconds.</p>` : ""}
${cancelForm(urls.cancel, view.cancelToken)}
</section>
<section class="phases" aria-labelledby="phases-heading">
<h2 id="phases-heading">Phases</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Phase</th><th scope="col">Status</th><th scope="col" class="duration">Duration</th></tr></thead>
<tbody id="phases">${phaseRows(state.phases)}</tbody>
</table></div>
</section>
<section class="log" aria-labelledby="log-heading">
<div class="log-head"><h2 id="log-heading">Log</h2><span id="log-state" class="log-state">${log.complete ? "End of the log" : "Following the build live"}</span></div>
${log.s3Only ? page`<p class="notice">This CodeBuild project writes its log to S3 only, so there is no log to show here.</p>` : ""}
${log.more ? page`<p id="log-more" class="notice">This log is longer than the page holds at first (${PAGE_LOG_MAX_BYTES / 1024} KiB of text): the rest is read in after these lines.</p>` : ""}
<div id="log" class="log-lines" role="log">${log.lines.map((line) => page`<div class="line">${line}</div>`)}</div>
</section>
</main>
</body>
</html>
`,
  );
}

function accountPart(account: LogPageView["account"]): HtmlEscapedString | string {
  if (!account) return "";
  if ("signInUrl" in account) return page`<a class="button" href="${account.signInUrl}">Sign in with GitHub</a>`;
  return page`<span class="user">Signed in as <strong>${account.login}</strong></span><form method="post" action="/logout"><button type="submit" class="button">Sign out</button></form>`;
}

function cancelForm(action: string, token: string | undefined): HtmlEscapedString | string {
  if (token === undefined) return "";
  return page`<form id="cancel" class="cancel" method="post" action="${action}"><input type="hidden" name="csrf" value="${token}"><button type="submit" class="button danger">Cancel build</button></form>`;
}

function phaseRows(phases: readonly PhaseView[]): HtmlEscapedString | string {
  if (phases.length === 0) return page`<tr class="empty"><td colspan="3">CodeBuild has not reported any phases yet.</td></tr>`;
  return page`${phases.map(
    (phase) =>
      page`<tr><td>${phase.name}</td><td><span class="dot tone-${phase.tone}"></span>${phase.status}</td><td class="duration">${phase.duration}</td></tr>`,
  )}`;
}

/** `hono/html` is synchronous when no value is a promise, and none is here. */
function page(strings: TemplateStringsArray, ...values: unknown[]): HtmlEscapedString {
  return html(strings, ...values) as HtmlEscapedString;
}
