import { nextSteps, setupModeNextSteps, unreachableFromGitHub } from "../src/next-steps.js";

const base = { publicUrl: "http://localhost:3000", webhookPath: "/api/github/webhooks", webhookProxyUrl: undefined, runner: "local" as const };

describe("start-up lines: what to do next, one sentence each", () => {
  test.each([
    ["http://localhost:3000", true],
    ["http://127.0.0.1:3000", true],
    ["http://[::1]:3000", true],
    ["http://app.localhost", true],
    ["http://0.0.0.0:3000", true],
    ["http://10.1.2.3", true],
    ["http://192.168.1.20:3000", true],
    ["http://172.20.0.2", true],
    ["http://builder.local", true],
    ["https://builds.example.com", false],
    ["http://172.32.0.1", false],
    ["https://203.0.113.7", false],
  ])("%s cannot be reached by GitHub: %s", (url, unreachable) => {
    expect(unreachableFromGitHub(url)).toBe(unreachable);
  });

  test("on a laptop without a relay, the next step is a webhook channel", () => {
    const [webhooks, tryIt] = nextSteps(base);
    expect(webhooks).toBe(
      "Next: GitHub cannot send webhooks to http://localhost:3000: open https://smee.io/new, set WEBHOOK_PROXY_URL to the channel's URL (in .env) and as the GitHub App's Webhook URL, and start the app again.",
    );
    expect(tryIt).toBe(
      "To try it, push a commit with a buildspec.yml to a repository the app is installed on: its check run's Details link opens the build's log at http://localhost:3000/builds/….",
    );
  });

  test("with a relay, where webhooks come from; deployed, where GitHub must send them", () => {
    expect(nextSteps({ ...base, webhookProxyUrl: "https://smee.io/abc" })[0]).toBe(
      "Webhooks come through WEBHOOK_PROXY_URL=https://smee.io/abc, relayed to /api/github/webhooks: it must be the GitHub App's Webhook URL.",
    );
    const deployed = nextSteps({ ...base, publicUrl: "https://builds.example.com", runner: "codebuild" });
    expect(deployed).toEqual([
      "GitHub must send webhooks to https://builds.example.com/api/github/webhooks: that is the GitHub App's Webhook URL.",
      "To try it, push a commit to a repository the app is installed on: its check run's Details link opens the build's log at https://builds.example.com/builds/….",
    ]);
  });

  test("every line is one line, ending its sentence", () => {
    const lines = [
      ...nextSteps(base),
      ...nextSteps({ ...base, webhookProxyUrl: "https://smee.io/abc" }),
      ...setupModeNextSteps("http://localhost:3000", undefined),
    ];
    for (const line of lines) expect(line).toMatch(/^[A-Z][^\n]*\.$/);
  });

  test("before registration: register under a name of one's own, then where webhooks will come from", () => {
    expect(setupModeNextSteps("http://localhost:3000", "https://smee.io/xyz")).toEqual([
      "Next: open http://localhost:3000, register the GitHub App under a name of your own (names are unique on GitHub), install it on a test repository, and start the app again.",
      "Webhooks will come through WEBHOOK_PROXY_URL=https://smee.io/xyz, which the registration gives GitHub as the app's Webhook URL.",
    ]);
    expect(setupModeNextSteps("http://localhost:3000", undefined)[1]).toMatch(
      /^GitHub cannot send webhooks to this machine: open https:\/\/smee\.io\/new and set WEBHOOK_PROXY_URL/,
    );
  });
});
