import type { Scenario, ScenarioReport } from "./support/report.js";

/*
 * Runs one scenario in a process of its own (bench/index.ts starts it): the app under test keeps
 * timers and queued writes that a report does not wait for, so the process ends with the scenario
 * and the next one starts clean. The report goes back over the IPC channel.
 */
const name = process.argv[2] ?? "";
const scenario = (await import(new URL(`./scenarios/${name}.ts`, import.meta.url).href)).default as Scenario;
const startedAt = Date.now();
const outcome = await scenario.run();
const report: ScenarioReport = { scenario: name, seconds: (Date.now() - startedAt) / 1000, ...outcome };
process.send!(report, () => process.exit(0));
