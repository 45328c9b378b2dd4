import type { BenchApp } from "./bench-app.js";
import type { Figure } from "./report.js";

const MAX_READ_RATIO = 1.05;

/** What every scenario holds the app to: logs read once, no limit hit, no request GitHub would refuse. */
export function quotaFigures(bench: BenchApp): Figure[] {
  const readRatio = bench.logs.bytesReturned / bench.logs.bytesWritten;
  const cloudWatch = bench.logQuota.throttled;
  const github = bench.github.limited.length;
  const invalid = bench.app.github.invalidRequests.length;
  return [
    { name: "CloudWatch bytes read ÷ written", value: readRatio.toFixed(3), target: `≤ ${MAX_READ_RATIO}`, met: readRatio <= MAX_READ_RATIO },
    {
      name: "throttling errors (CloudWatch + GitHub)",
      value: `${cloudWatch + github} (${cloudWatch} + ${github})`,
      target: "0",
      met: cloudWatch + github === 0,
    },
    { name: "requests GitHub would refuse (OpenAPI)", value: String(invalid), target: "0", met: invalid === 0 },
  ];
}
