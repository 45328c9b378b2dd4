/** The log page's styles (and the home page's), served as a same-origin file by the build routes: the page's CSP allows `'self'` only. */
export const LOG_PAGE_STYLES = `:root {
  color-scheme: light;
  --fg: #1f2328;
  --muted: #59636e;
  --border: #d1d9e0;
  --canvas: #ffffff;
  --subtle: #f6f8fa;
  --success: #1a7f37;
  --failure: #d1242f;
  --running: #9a6700;
  --queued: #59636e;
  --cancelled: #59636e;
  --log-bg: #0d1117;
  --log-fg: #e6edf3;
  --log-muted: #6e7681;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  color: var(--fg);
  background: var(--subtle);
}
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
code { font-family: var(--mono); font-size: 13px; }
.bar {
  display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap;
  padding: 10px 24px; background: #1f2328; color: #ffffff;
}
.brand { font-weight: 600; letter-spacing: .01em; }
.account { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; font-size: 13px; }
.account form { margin: 0; }
.bar .button { color: #ffffff; background: transparent; border-color: rgba(255,255,255,.35); }
.bar .button:hover { background: rgba(255,255,255,.1); text-decoration: none; }
main { max-width: 1280px; margin: 0 auto; padding: 24px; display: grid; gap: 16px; }
section { background: var(--canvas); border: 1px solid var(--border); border-radius: 6px; min-width: 0; }
.summary { padding: 16px 20px; }
.crumbs { margin: 0 0 8px; color: var(--muted); overflow-wrap: anywhere; }
.crumbs a { font-weight: 600; }
.sep { margin: 0 6px; }
.tag { margin-left: 8px; padding: 0 7px; border: 1px solid var(--border); border-radius: 2em; font-size: 12px; }
.headline { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
h1 { margin: 0; font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
h2 { margin: 0; font-size: 14px; font-weight: 600; }
.badge {
  display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px; border-radius: 2em;
  font-size: 12px; font-weight: 600; color: #ffffff; background: var(--queued); white-space: nowrap;
}
.badge.tone-success { background: var(--success); }
.badge.tone-failure { background: var(--failure); }
.badge.tone-running { background: var(--running); }
.badge.tone-running::before {
  content: ""; width: 8px; height: 8px; border-radius: 50%; background: #ffffff; animation: pulse 1.2s ease-in-out infinite;
}
@keyframes pulse { 50% { opacity: .3; } }
.facts { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 16px 0 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.notice { margin: 16px 0 0; padding: 8px 12px; border-radius: 6px; background: #fff8c5; border: 1px solid #d4a72c66; }
.cancel { margin: 16px 0 0; }
[hidden] { display: none !important; }
.button {
  display: inline-block; padding: 4px 12px; border: 1px solid var(--border); border-radius: 6px;
  font: inherit; font-size: 13px; font-weight: 500; line-height: 20px; color: var(--fg); background: var(--subtle); cursor: pointer;
}
.button.danger { color: var(--failure); }
.button.danger:hover { color: #ffffff; background: var(--failure); border-color: var(--failure); }
.phases h2, .log-head { padding: 12px 20px; border-bottom: 1px solid var(--border); }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 8px 20px; text-align: left; border-bottom: 1px solid var(--border); white-space: nowrap; }
th { color: var(--muted); font-size: 12px; font-weight: 600; background: var(--subtle); }
tbody tr:last-child td { border-bottom: 0; }
tr.empty td { color: var(--muted); white-space: normal; }
td:first-child { font-family: var(--mono); font-size: 13px; }
.duration { text-align: right; font-variant-numeric: tabular-nums; }
.dot { display: inline-block; width: 8px; height: 8px; margin-right: 8px; border-radius: 50%; background: var(--border); }
.dot.tone-success { background: var(--success); }
.dot.tone-failure { background: var(--failure); }
.dot.tone-running { background: var(--running); }
.dot.tone-cancelled, .dot.tone-queued { background: var(--muted); }
.log { overflow: hidden; }
.log-head { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; flex-wrap: wrap; }
.log-state { color: var(--muted); font-size: 12px; }
.log .notice { margin: 12px 20px; }
.log-lines {
  counter-reset: line; margin: 0; padding: 8px 0; min-height: 120px;
  background: var(--log-bg); color: var(--log-fg); font: 12px/1.6 var(--mono);
}
.log-lines:empty::before { content: "No log lines yet."; display: block; padding: 0 16px; color: var(--log-muted); }
.line {
  counter-increment: line; display: grid; grid-template-columns: 5.5ch minmax(0, 1fr); column-gap: 16px;
  padding: 0 16px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; min-height: 1.6em;
}
.line::before { content: counter(line); text-align: right; color: var(--log-muted); user-select: none; }
.line:hover { background: #161b22; }
@media (max-width: 640px) {
  .bar { padding: 8px 12px; }
  main { padding: 12px 8px; gap: 12px; }
  .summary { padding: 12px; }
  h1 { font-size: 17px; }
  .facts { gap: 8px 20px; }
  .phases h2, .log-head { padding: 10px 12px; }
  th, td { padding: 6px 12px; }
  .line { grid-template-columns: 4.5ch minmax(0, 1fr); column-gap: 10px; padding-right: 8px; }
}
`;
