/**
 * The log page's script (SPEC 7), served as a same-origin file: the page's CSP allows `'self'` only.
 * It writes log text with `textContent`, never as markup, and follows a running build by polling
 * the API every 2 s: the API reads what the watcher stored, so viewers cause no CloudWatch reads.
 * A classic script (the page loads it with `defer`), wrapped so that it leaves no globals.
 */

/** What this script reads of `GET /api/builds/:id/logs?format=plain`. */
interface LogPage {
  logs: { message: string }[];
  nextToken: string;
  complete: boolean;
}

/** What this script reads of `GET /api/builds/:id`. */
interface BuildState {
  title: string;
  completed: boolean;
  badge: { tone: string; label: string };
  phases: { name: string; status: string; tone: string; duration: string }[];
}

(() => {
  const root = document.getElementById("build");
  if (!root || root.dataset.complete === "true") return;
  const POLL_MS = 2000;
  const HIDDEN_POLL_MS = 10000;
  const MAX_RETRY_MS = 30000;
  const LIMIT = 1000;
  const repository = root.dataset.repository;
  const logsUrl = root.dataset.logsUrl ?? "";
  const stateUrl = root.dataset.stateUrl ?? "";
  const log = byId("log");
  const logState = byId("log-state");
  let nextToken = root.dataset.nextToken || "";
  let failures = 0;

  function byId(id: string): HTMLElement {
    const node = document.getElementById(id);
    if (!node) throw new Error(`The log page has no #${id}`);
    return node;
  }

  const atBottom = () => window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 48;

  function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appendLines(lines: LogPage["logs"]): void {
    if (lines.length === 0) return;
    const follow = atBottom();
    const fragment = document.createDocumentFragment();
    for (const line of lines) fragment.appendChild(element("div", "line", line.message));
    log.appendChild(fragment);
    if (follow) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  function phaseRow(phase: BuildState["phases"][number]): HTMLTableRowElement {
    const row = element("tr");
    const status = element("td");
    status.append(element("span", "dot tone-" + phase.tone), phase.status);
    row.append(element("td", "", phase.name), status, element("td", "duration", phase.duration));
    return row;
  }

  function showState(state: BuildState): void {
    const badge = byId("badge");
    badge.className = "badge tone-" + state.badge.tone;
    badge.textContent = state.badge.label;
    byId("title").textContent = state.title;
    document.title = state.title + " · " + repository;
    const rows = state.phases.map(phaseRow);
    if (rows.length === 0) {
      const empty = element("tr", "empty");
      const cell = element("td", "", "CodeBuild has not reported any phases yet.");
      cell.colSpan = 3;
      empty.append(cell);
      rows.push(empty);
    }
    byId("phases").replaceChildren(...rows);
    if (state.completed) {
      for (const id of ["cancel", "cancel-notice"]) {
        const node = document.getElementById(id);
        if (node) node.hidden = true;
      }
    }
  }

  /** An answer other than 2xx, with its status: 401 and 404 stop the page from following. */
  class HttpError extends Error {
    constructor(readonly status: number) {
      super("HTTP " + status);
    }
  }

  async function getJson<T>(url: string): Promise<T> {
    const response = await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new HttpError(response.status);
    return (await response.json()) as T;
  }

  // The log first, then the state: the badge never says finished before the last lines are shown.
  async function refresh(): Promise<{ complete: boolean; more: boolean }> {
    const query = new URLSearchParams({ nextToken: nextToken, limit: String(LIMIT), format: "plain" });
    const logs = await getJson<LogPage>(logsUrl + "?" + query);
    appendLines(logs.logs);
    nextToken = logs.nextToken;
    showState(await getJson<BuildState>(stateUrl));
    return { complete: logs.complete, more: logs.logs.length === LIMIT };
  }

  async function follow(): Promise<void> {
    let delay: number;
    try {
      const { complete, more } = await refresh();
      failures = 0;
      if (complete) {
        logState.textContent = "End of the log";
        return;
      }
      logState.textContent = "Following the build live";
      delay = more ? 0 : document.hidden ? HIDDEN_POLL_MS : POLL_MS;
    } catch (error) {
      if (error instanceof HttpError && (error.status === 401 || error.status === 404)) {
        logState.textContent = "Stopped following the build: reload the page";
        return;
      }
      failures += 1;
      delay = Math.min(MAX_RETRY_MS, POLL_MS * 2 ** failures);
      logState.textContent = "Connection lost: retrying";
    }
    setTimeout(follow, delay);
  }

  void follow();
})();
