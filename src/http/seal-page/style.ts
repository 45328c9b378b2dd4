/** The page's icon: a padlock, so the tab says what the page is for. */
export const SEAL_PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="#1f6feb"/><path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="#1f6feb" stroke-width="1.6"/></svg>`;

/** The /seal page's style sheet: system fonts, one column, light and dark. */
export const SEAL_PAGE_STYLE = `:root {
  color-scheme: light dark;
  --text: #1f2328;
  --muted: #59636e;
  --page: #f6f8fa;
  --card: #ffffff;
  --line: #d1d9e0;
  --accent: #1f6feb;
  --accent-text: #ffffff;
  --problem: #d1242f;
  --code: #eff2f5;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e6edf3;
    --muted: #9198a1;
    --page: #0d1117;
    --card: #151b23;
    --line: #3d444d;
    --accent: #4493f8;
    --accent-text: #0d1117;
    --problem: #f85149;
    --code: #262c36;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--page); color: var(--text); }
main { max-width: 40rem; margin: 0 auto; padding: 2.5rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; margin: 0 0 0.5rem; }
h2 { font-size: 1.1rem; margin: 0 0 0.75rem; }
.lead { color: var(--muted); margin: 0 0 1.5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 0.5rem; padding: 1.25rem; margin-bottom: 1.25rem; }
.field { display: flex; flex-direction: column; gap: 0.35rem; margin-bottom: 1rem; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
label { font-weight: 600; font-size: 0.95rem; }
label.check { font-weight: 400; display: flex; gap: 0.5rem; align-items: center; color: var(--muted); }
input, select, textarea {
  font: inherit; color: inherit; background: var(--page); border: 1px solid var(--line);
  border-radius: 0.375rem; padding: 0.45rem 0.6rem; width: 100%;
}
input[type="checkbox"] { width: auto; margin: 0; }
input:focus, select:focus, textarea:focus, button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
textarea { resize: vertical; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; }
#command { word-break: break-all; }
.hint { color: var(--muted); font-size: 0.875rem; margin: 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em; background: var(--code); border-radius: 0.25rem; padding: 0.1em 0.35em; }
button {
  font: inherit; font-weight: 600; border: 0; border-radius: 0.375rem; padding: 0.5rem 1.25rem;
  background: var(--accent); color: var(--accent-text); cursor: pointer;
}
button:disabled { opacity: 0.5; cursor: default; }
.actions { display: flex; gap: 1rem; align-items: center; margin: 0.75rem 0; }
#copied { color: var(--muted); font-size: 0.9rem; }
.problem { color: var(--problem); margin: 0 0 1rem; }
footer { color: var(--muted); font-size: 0.85rem; }
@media (max-width: 30rem) { .row { grid-template-columns: 1fr; gap: 0; } }
`;
