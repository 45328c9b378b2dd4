/** One measured figure, with the target it is held to when the issue sets one. */
export interface Figure {
  name: string;
  value: string;
  target?: string;
  met?: boolean;
}

/** What a scenario reports; a missed target is a finding, not a failure. */
export interface ScenarioReport {
  scenario: string;
  title: string;
  /** How time was scaled, in words. */
  scale: string;
  seconds: number;
  figures: Figure[];
  notes: string[];
}

/** A benchmark scenario: a file in bench/scenarios/ whose default export is one of these. */
export interface Scenario {
  title: string;
  /** Reports progress on stderr; the figures come back. */
  run(): Promise<Omit<ScenarioReport, "scenario" | "seconds">>;
}

export function progress(scenario: string, message: string): void {
  process.stderr.write(`[${scenario}] ${message}\n`);
}

export function seconds(ms: number, digits = 1): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(digits)} s` : "n/a";
}

function row(cells: string[], widths: number[]): string {
  return `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
}

/** The reports as one Markdown table, with each scenario's scale and notes after it. */
export function formatReports(reports: ScenarioReport[]): string {
  const header = ["scenario", "figure", "value", "target", "met"];
  const rows = reports.flatMap((r) => r.figures.map((f) => [r.scenario, f.name, f.value, f.target ?? "", f.met === undefined ? "" : f.met ? "yes" : "NO"]));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((cells) => cells[i]!.length)));
  const table = [row(header, widths), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map((cells) => row(cells, widths))];
  const details = reports.flatMap((r) => [
    "",
    `${r.scenario} — ${r.title} (${r.seconds.toFixed(0)} s)`,
    `  scale: ${r.scale}`,
    ...r.notes.map((n) => `  - ${n}`),
  ]);
  return [...table, ...details].join("\n");
}
