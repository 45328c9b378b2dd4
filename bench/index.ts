import { fork } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatReports, type ScenarioReport } from "./support/report.js";

/*
 * `npm run bench` runs every scenario in bench/scenarios/; `npm run bench -- <name> …` the ones
 * named. It reports: a missed target is printed, and only a scenario that crashes fails the run.
 */
const scenariosDir = fileURLToPath(new URL("./scenarios/", import.meta.url));
const available = readdirSync(scenariosDir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -".ts".length))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(", ")}: expected one of ${available.join(", ")}`);
  process.exit(2);
}

/** The scenario's report, or undefined when its process ended without one. */
function runScenario(name: string): Promise<ScenarioReport | undefined> {
  return new Promise((resolve) => {
    let report: ScenarioReport | undefined;
    const child = fork(fileURLToPath(new URL("./scenario-process.ts", import.meta.url)), [name], {
      execArgv: process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (message) => (report = message as ScenarioReport));
    child.on("exit", (code) => {
      if (!report) console.error(`[${name}] crashed (exit code ${code}) before reporting`);
      resolve(report);
    });
  });
}

const reports: ScenarioReport[] = [];
let crashed = false;
for (const name of wanted.length > 0 ? wanted : available) {
  const report = await runScenario(name);
  if (report) reports.push(report);
  else crashed = true;
}
console.log(`\n${formatReports(reports)}`);
process.exit(crashed ? 1 : 0);
