import { useCodeBuildTestApp, waitFor, WEBHOOK_SECRET } from "../support/app.js";
import { pushPayload, sendWebhook } from "../support/webhooks.js";

/**
 * The write budget is the app's (SPEC 8), end to end over HTTP: GITHUB_WRITES_PER_MINUTE is the pace
 * GitHub sees (Octokit's own spacing follows it), and a secondary-limit answer pauses the installation.
 */

const sha = (n: number) => n.toString(16).padStart(40, "f");

describe("the write budget at GITHUB_WRITES_PER_MINUTE=6000", () => {
  const site = useCodeBuildTestApp({ GITHUB_WRITES_PER_MINUTE: "6000" });

  test("a secondary-limit answer still pauses the installation's writes for its retry-after, then the write goes again", async () => {
    // The fake answers 403 "secondary rate limit" with retry-after: 1.
    site.app.github.failNext("POST", /\/check-runs$/, 403, 1);
    await sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(sha(5)));
    await waitFor(() => site.app.github.runsFor(sha(5))[0], "the check run");
    const writes = site.app.github.sent.filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"));
    expect(writes.map((r) => `${r.method} ${r.path}`).slice(0, 2)).toEqual([
      "POST /repos/Codertocat/Hello-World/check-runs",
      "POST /repos/Codertocat/Hello-World/check-runs",
    ]);
    expect(writes[1]!.at - writes[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(site.app.github.runsFor(sha(5))).toHaveLength(1);
  });

  const PUSHES = 50;
  /** The goal: every push built and reported within a minute (Octokit's own spacing of a second made that 150 s). */
  const WITHIN_MS = 60_000;

  test(
    "50 pushes to one installation are all built and reported within a minute",
    async () => {
      site.codebuild.startPhase = "BUILD";
      const commits = Array.from({ length: PUSHES }, (_, i) => sha(100 + i));
      const finished = new Set<string>();
      const finishing = setInterval(() => {
        for (const build of site.codebuild.builds.values()) {
          if (finished.has(build.id)) continue;
          finished.add(build.id);
          site.codebuild.endEarlier(build.id);
        }
      }, 50);
      try {
        await Promise.all(commits.map((commit) => sendWebhook(site.app.webhookUrl, WEBHOOK_SECRET, "push", pushPayload(commit))));
        await waitFor(() => commits.every((commit) => site.app.github.runsFor(commit).some((r) => r.status === "completed")), "every push reported", WITHIN_MS);
      } finally {
        clearInterval(finishing);
      }
      for (const commit of commits) {
        expect(site.app.github.runsFor(commit).map((r) => r.conclusion)).toEqual(["success"]);
      }
      expect(site.codebuild.builds.size).toBe(PUSHES);
    },
    WITHIN_MS + 30_000,
  );
});
