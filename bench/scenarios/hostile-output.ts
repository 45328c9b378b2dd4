import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { WEBHOOK_SECRET } from "../../test/support/app.js";
import { World } from "../../test/support/child-app.js";
import { pushPayload, sendWebhook } from "../../test/support/webhooks.js";
import { startAppProcess, type AppProcess } from "../support/app-process.js";
import { percentile } from "../support/freshness.js";
import { hostileLog } from "../support/hostile-log.js";
import { megabytes, type ProcessUsage } from "../support/process-usage.js";
import { progress, seconds, type Figure, type Scenario } from "../support/report.js";

const NAME = "hostile-output";
/** The issue's 50 MB of adversarial log. */
const LOG_BYTES = 50 * 1024 * 1024;
const SECRET = "hunter2-S3cret";
const TOKEN = "gho_bench_maintainer";
const SHA = "badc0debadc0debadc0debadc0debadc0debad0";
const PAGE_VIEWS = 10;
const SAMPLE_EVERY_MS = 100;
const RSS_TARGET_BYTES = 400 * 1024 * 1024;
const HEALTH_MAX_TARGET_MS = 1_000;
const HEALTH_P99_TARGET_MS = 250;
/** What a page or an answer may carry: 1 MiB of log text, HTML-escaped or JSON-escaped (each character at most 6 bytes), and markup. */
const ANSWER_MAX_BYTES = 6 * 1024 * 1024;

interface Samples {
  peakRss: number;
  health: number[];
}

/** RSS from /proc and /healthz answer times, sampled until `stop` is called. */
function sampling(app: AppProcess): { samples: Samples; stop(): Promise<void> } {
  const samples: Samples = { peakRss: app.usage().rssBytes, health: [] };
  let running = true;
  const rss = setInterval(() => (samples.peakRss = Math.max(samples.peakRss, app.usage().rssBytes)), SAMPLE_EVERY_MS);
  const health = (async () => {
    while (running) {
      const start = performance.now();
      await fetch(`${app.app.url}/healthz`).then((r) => r.arrayBuffer());
      samples.health.push(performance.now() - start);
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      clearInterval(rss);
      await health;
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const cpuMs = (from: ProcessUsage, to: ProcessUsage) => (to.cpuSeconds - from.cpuSeconds) * 1000;
const mb = (bytes: number) => bytes / 1024 / 1024;

const scenario: Scenario = {
  title: `${mb(LOG_BYTES)} MB of adversarial build log through the watcher, the check run and the log page`,
  async run() {
    const world = await World.start();
    try {
      const payload = pushPayload(SHA, { private: false });
      const repository = payload.repository.full_name as string;
      world.github.repositories.set(repository, { id: payload.repository.id, private: false, installationId: 7 });
      world.github.userTokens.set(TOKEN, { login: "maintainer", id: 501 });
      world.github.permissions.set("maintainer", "admin");
      const app = await startAppProcess(world, {
        AWS_ENDPOINT_URL_DYNAMODB: world.dynamo.endpoint,
        GITHUB_CLIENT_ID: "Iv1.bench",
        GITHUB_CLIENT_SECRET: "bench-secret",
      });
      const put = await fetch(`${app.app.url}/api/repos/${repository}/env`, {
        method: "PUT",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ environment: "all", envVars: [{ key: "BENCH_SECRET", value: SECRET, isSecret: true }] }),
      });
      if (!put.ok) throw new Error(`storing the secret answered ${put.status}`);

      progress(NAME, `writing ${mb(LOG_BYTES)} MB of hostile log`);
      const log = hostileLog(LOG_BYTES, SECRET);
      await sendWebhook(app.app.webhookUrl, WEBHOOK_SECRET, "push", payload);
      await until(() => world.codebuild.builds.size > 0, "StartBuild", 60_000);
      const [build] = [...world.codebuild.builds.values()];
      world.codebuild.update(build!.id, { currentPhase: "BUILD", phases: [{ phaseType: "BUILD", startTime: build!.startTime }] });
      await until(() => world.github.runsFor(SHA)[0]?.status === "in_progress", "the check run in progress", 60_000);
      const run = world.github.runsFor(SHA)[0]!;
      const deploymentId = String(run.external_id);

      const idle = app.usage();
      const sampler = sampling(app);
      const ingestStart = performance.now();
      world.logs.append(world.codebuild.logGroup!, build!.id.split(":")[1]!, log.events);
      progress(NAME, `${log.events.length} events appended; the app reads them`);
      const quarterBytes = world.logs.bytesWritten - log.bytes + log.bytes / 4;
      await until(() => world.logs.bytesReturned >= quarterBytes, "the app to read a quarter of the log", 600_000);
      const quarter = { usage: app.usage(), bytes: world.logs.bytesReturned - (world.logs.bytesWritten - log.bytes) };
      await until(() => world.logs.bytesReturned >= world.logs.bytesWritten, "the app to read the whole log", 600_000);
      await sleep(3_000);
      const ingested = app.usage();
      const ingestMs = performance.now() - ingestStart;

      world.codebuild.update(build!.id, { buildStatus: "SUCCEEDED", currentPhase: "COMPLETED", endTime: Date.now() / 1000 });
      await until(() => run.status === "completed", "the check run to complete", 120_000);
      await sampler.stop();
      const completed = app.usage();

      progress(NAME, `viewing the log page ${PAGE_VIEWS} times and reading the whole log through the API`);
      const pageSizes: number[] = [];
      const pages: string[] = [];
      const beforePages = app.usage();
      for (let i = 0; i < PAGE_VIEWS; i++) {
        const page = await (await fetch(`${app.app.url}/builds/${deploymentId}`)).text();
        pageSizes.push(Buffer.byteLength(page));
        if (i === 0) pages.push(page);
      }
      const afterPages = app.usage();
      let nextToken = "";
      let answers = 0;
      let textBytes = 0;
      const answerSizes: number[] = [];
      for (;;) {
        const body = await (await fetch(`${app.app.url}/api/builds/${deploymentId}/logs?limit=1000&nextToken=${nextToken}`)).text();
        const answer = JSON.parse(body) as { logs: { message: string }[]; nextToken: string; complete: boolean };
        answers++;
        answerSizes.push(Buffer.byteLength(body));
        textBytes += answer.logs.reduce((sum, line) => sum + Buffer.byteLength(line.message), 0);
        if (answers <= 3) pages.push(body);
        nextToken = answer.nextToken;
        if (answer.complete || answer.logs.length === 0) break;
      }
      const afterApi = app.usage();
      const peakRss = Math.max(sampler.samples.peakRss, afterApi.rssBytes);

      const written = JSON.stringify(world.github.requests) + pages.join("\n");
      const leaked = [SECRET, Buffer.from(SECRET).toString("base64"), "flood-value-0-0-"].filter((s) => written.includes(s));
      const health = sampler.samples.health;
      const figures: Figure[] = [
        { name: "log read: bytes, events, wall time", value: `${mb(log.bytes).toFixed(0)} MB, ${log.events.length} events, ${seconds(ingestMs)}` },
        {
          name: "app CPU per MB of log (read, escapes, masks, annotations, store, check-run renders)",
          value: `${(cpuMs(idle, ingested) / mb(log.bytes)).toFixed(0)} ms`,
        },
        {
          name: "app CPU per MB: first quarter of the log / the rest (linear: about equal)",
          value: `${(cpuMs(idle, quarter.usage) / mb(quarter.bytes)).toFixed(0)} / ${(cpuMs(quarter.usage, ingested) / mb(log.bytes - quarter.bytes)).toFixed(0)} ms`,
        },
        {
          name: "app peak RSS: before the log / while reading and serving it",
          value: `${megabytes(idle.rssBytes)} / ${megabytes(peakRss)}`,
          target: `< ${megabytes(RSS_TARGET_BYTES)}`,
          met: peakRss < RSS_TARGET_BYTES,
        },
        {
          name: "GET /healthz while the log is read: p50 / p99 / max",
          value: `${percentile(health, 50).toFixed(0)} / ${percentile(health, 99).toFixed(0)} / ${Math.max(...health).toFixed(0)} ms (${health.length} asked)`,
          target: `p99 < ${HEALTH_P99_TARGET_MS} ms, max < ${HEALTH_MAX_TARGET_MS} ms`,
          met: percentile(health, 99) < HEALTH_P99_TARGET_MS && Math.max(...health) < HEALTH_MAX_TARGET_MS,
        },
        {
          name: "check run: text bytes, annotations, masking full said",
          value: `${Buffer.byteLength(run.output?.text ?? "")}, ${run.output?.annotations?.length ?? 0} in the last request, ${run.output?.summary?.includes("Masking is full") ? "yes" : "no"}`,
          target: "≤ 65,535, ≤ 50, yes",
          met:
            Buffer.byteLength(run.output?.text ?? "") <= 65_535 &&
            (run.output?.annotations?.length ?? 0) <= 50 &&
            Boolean(run.output?.summary?.includes("Masking is full")),
        },
        { name: "completion after the build ended: app CPU", value: `${cpuMs(ingested, completed).toFixed(0)} ms` },
        {
          name: "log page: bytes per view (max), app CPU per view",
          value: `${(Math.max(...pageSizes) / 1024).toFixed(0)} KiB, ${(cpuMs(beforePages, afterPages) / PAGE_VIEWS).toFixed(0)} ms`,
          target: `≤ ${megabytes(ANSWER_MAX_BYTES)}`,
          met: Math.max(...pageSizes) <= ANSWER_MAX_BYTES,
        },
        {
          name: "logs API, the whole stored log: answers, largest answer, app CPU per MB served",
          value: `${answers}, ${(Math.max(...answerSizes) / 1024).toFixed(0)} KiB, ${(cpuMs(afterPages, afterApi) / mb(textBytes)).toFixed(0)} ms (${mb(textBytes).toFixed(1)} MB of masked text)`,
          target: `largest ≤ ${megabytes(ANSWER_MAX_BYTES)}`,
          met: Math.max(...answerSizes) <= ANSWER_MAX_BYTES,
        },
        {
          name: "secrets or masked values shown (GitHub requests, page, API answers)",
          value: leaked.length === 0 ? "none" : leaked.join(", "),
          target: "none",
          met: leaked.length === 0,
        },
      ];
      return {
        title: scenario.title,
        scale: "none (real time), the app's default settings (LOGS_RPS=5: CloudWatch answers at most 1 MB a read, so 50 MB take at least 10 s of reads)",
        figures,
        notes: [
          `the log, by kind: ${[...log.kinds].map(([kind, bytes]) => `${kind} ${mb(bytes).toFixed(1)} MB`).join("; ")}`,
          "the app runs as `node --import tsx src/main.ts` in a process of its own; CPU and RSS are read from /proc/<pid>; the fakes and the samplers run in the benchmark's process",
          "GET /healthz is asked every 100 ms while the log is read and the check run completes: how long one build's output holds up everything else the app does",
          `the machine's load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`,
        ],
      };
    } finally {
      await world.stop();
    }
  },
};

export default scenario;
