import type { ProbotOctokit } from "probot";
import { GitHubConversation } from "../../../src/adapters/github/conversation.js";
import type { WriteEffect } from "../../../src/ports/write-budget.js";
import { createMasker } from "../../../src/variables/masking.js";

const SECRET = "hunter2-correct-horse";
const comment = { installationId: 7, repository: { id: 1, owner: "acme", name: "web", fullName: "acme/web" } as never, issueNumber: 12, commentId: 99 };

/** GitHub as the port calls it, each request recorded with the budget's effect it was sent under. */
function setUp(deleteStatus?: number) {
  const sent: { request: string; effect: WriteEffect | undefined; body?: unknown }[] = [];
  let effect: WriteEffect | undefined;
  const octokit = {
    rest: {
      reactions: { createForIssueComment: async (p: { content: string }) => sent.push({ request: `react ${p.content}`, effect }) },
      issues: {
        createComment: async (p: { body: string }) => sent.push({ request: "comment", effect, body: p.body }),
        deleteComment: async () => {
          sent.push({ request: "delete", effect });
          if (deleteStatus) throw Object.assign(new Error("gone"), { status: deleteStatus });
        },
      },
    },
  } as unknown as ProbotOctokit;
  const budget = {
    once: async <T>(kind: WriteEffect, write: () => Promise<T>) => {
      effect = kind;
      try {
        return await write();
      } finally {
        effect = undefined;
      }
    },
  };
  const conversation = new GitHubConversation(octokit, budget, comment, async () => createMasker([SECRET]));
  return { sent, conversation };
}

describe("a comment's conversation: every write through the budget, every reply masked", () => {
  test("reactions and replies create content; deleting the comment changes what exists", async () => {
    const { sent, conversation } = setUp();
    await conversation.react("eyes");
    await conversation.deleteComment();
    await conversation.reply("done");
    await conversation.react("+1");
    expect(sent.map(({ request, effect }) => [request, effect])).toEqual([
      ["react eyes", "creates"],
      ["delete", "changes"],
      ["comment", "creates"],
      ["react +1", "creates"],
    ]);
  });

  test("a reply that echoes a stored secret leaves masked, whatever the command wrote", async () => {
    const { sent, conversation } = setUp();
    await conversation.reply(`value: \`${SECRET}\` and base64 ${Buffer.from(SECRET).toString("base64")}`);
    expect(sent[0]!.body).not.toContain(SECRET);
    expect(sent[0]!.body).not.toContain(Buffer.from(SECRET).toString("base64"));
    expect(sent[0]!.body).toContain("***");
  });

  test("a comment already deleted is fine; any other failure reaches the caller", async () => {
    await expect(setUp(404).conversation.deleteComment()).resolves.toBeUndefined();
    await expect(setUp(500).conversation.deleteComment()).rejects.toThrow("gone");
  });
});
