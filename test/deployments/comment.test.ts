import { COMMENT_BODY_MAX_CHARACTERS, DEPLOYMENT_COMMENT_MARKER, isDeploymentComment, renderDeploymentComment } from "../../src/deployments/comment.js";
import { checkDeployUrl, DEPLOY_URL_MAX_LENGTH } from "../../src/deployments/deploy-url.js";
import { THREAD_ENTRIES_MAX, type ThreadEntry } from "../../src/deployments/thread.js";
import type { MaskedText } from "../../src/variables/masking.js";

const context = { logUrl: (id: string) => `https://ci.example.com/builds/${id}` };
const sha = (n: number) => n.toString(16).padStart(40, "b");
const entry = (n: number, more: Partial<ThreadEntry> = {}): ThreadEntry => ({
  deploymentId: `d${n}`,
  githubDeploymentId: 100 + n,
  sha: sha(n),
  state: "success",
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 60 - n)).toISOString(),
  ...more,
});
/** An address as the app keeps it: checked, in the URL parser's form. */
const url = (text: string) => {
  const checked = checkDeployUrl(text);
  if (!checked.ok) throw new Error(checked.problem);
  return checked.url as MaskedText;
};

describe("renderDeploymentComment", () => {
  test("the marker first, the latest commit with its state, preview and log, earlier commits folded", () => {
    const body = renderDeploymentComment(
      { entries: [entry(2, { url: url("https://pr-2.example.com") }), entry(1, { state: "inactive", url: url("https://pr-1.example.com") })] },
      context,
    );
    expect(body.split("\n")[0]).toBe(DEPLOYMENT_COMMENT_MARKER);
    expect(isDeploymentComment(body)).toBe(true);
    expect(body).toBe(
      [
        DEPLOYMENT_COMMENT_MARKER,
        "",
        "**Preview** of the latest commit `bbbbbbb`: ✅ Ready — [pr\\-2\\.example\\.com](<https://pr-2.example.com/>) · [Build log](<https://ci.example.com/builds/d2>)",
        "",
        "<details><summary>Earlier commits (1)</summary>",
        "",
        "| Commit | State | Preview | Log |",
        "| --- | --- | --- | --- |",
        "| `bbbbbbb` | ⏹️ Inactive | [pr\\-1\\.example\\.com](<https://pr-1.example.com/>) | [Log](<https://ci.example.com/builds/d1>) |",
        "",
        "</details>",
      ].join("\n"),
    );
  });

  test.each([
    ["queued", "⏳ Queued"],
    ["in_progress", "🔨 Building"],
    ["failure", "❌ Failed"],
    ["error", "⚠️ Error"],
  ] as const)("a latest commit %s says %s, without a preview", (state, words) => {
    const body = renderDeploymentComment({ entries: [entry(3, { state })] }, context);
    expect(body).toContain(`: ${words} · [Build log]`);
  });

  describe("an address chosen by a build's code cannot add markup", () => {
    test.each([
      ["a closing parenthesis and a second link", "https://a.example/)[click](https://evil.example"],
      ["a table cell break", "https://a.example/?x=1|injected|cell"],
      ["markdown and HTML in the query", "https://a.example/?q=<img src=x onerror=alert(1)>**bold**"],
      ["a mention", "https://a.example/@everyone"],
      ["backticks", "https://a.example/?q=`code`"],
    ])("%s", (_case, text) => {
      const body = renderDeploymentComment({ entries: [entry(2, { url: url("https://safe.example") }), entry(1, { url: url(text) })] }, context);
      const row = body.split("\n").find((line) => line.startsWith("| `"))!;
      // Four cells, whatever the address holds.
      expect(row.split(/(?<!\\)\|/).length).toBe(6);
      expect(body).not.toMatch(/<img/);
      // Two links in the row (the preview and the log), each with its destination in <…>, which nothing in it can end.
      expect(row.match(/\]\(/g)).toHaveLength(2);
      expect(row.match(/\]\(</g)).toHaveLength(2);
      const destinations = [...body.matchAll(/\]\(<([^>]*)>\)/g)].map((m) => m[1]!);
      for (const destination of destinations) expect(destination).not.toMatch(/[\s<>|]/);
    });
  });

  test(`within GitHub's ${COMMENT_BODY_MAX_CHARACTERS} characters, even with ${THREAD_ENTRIES_MAX} of the longest addresses full of characters that must be encoded`, () => {
    const longest = url(`https://a.example/?${"|".repeat(DEPLOY_URL_MAX_LENGTH - 20)}`);
    const entries = Array.from({ length: THREAD_ENTRIES_MAX }, (_, i) => entry(i, { url: longest }));
    const body = renderDeploymentComment({ entries }, context);
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_MAX_CHARACTERS);
    expect(body).toContain("**Preview** of the latest commit");
    expect(body).toContain("Earlier commits");
  });

  test("only a body that starts with the marker is a deployment comment", () => {
    expect(isDeploymentComment(`quoting: ${DEPLOYMENT_COMMENT_MARKER}`)).toBe(false);
    expect(isDeploymentComment(null)).toBe(false);
  });
});
