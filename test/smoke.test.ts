import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import pushExamples from "@octokit/webhooks-examples";

test("smoke", async () => {
  expect(typeof Probot).toBe("function");
  expect(typeof ProbotOctokit).toBe("function");
  expect(Array.isArray(pushExamples)).toBe(true);
  nock("https://api.github.com").get("/x").reply(200, {});
});
