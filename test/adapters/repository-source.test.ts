import nock from "nock";
import { ProbotOctokit } from "probot";
import { gitHubRepositorySource } from "../../src/adapters/github/repository-source.js";
import { useStrictNock } from "../support/nock-strict.js";

const API = "https://ghe.example.com/api/v3";
const WEB = "https://ghe.example.com";

/** The app's Octokit as Probot makes it: the API's base URL is the class's, so the token's client gets it too. */
const AppOctokit = ProbotOctokit.defaults({ baseUrl: API, retry: { enabled: false }, throttle: { enabled: false } });
const source = gitHubRepositorySource(async () => new AppOctokit({ auth: { token: "app-jwt" } }), WEB);

function repository(id: number, cloneUrl: string) {
  return { id, name: "web", full_name: "acme/web", private: true, owner: { login: "acme" }, clone_url: cloneUrl };
}

describe("where a local build fetches from", () => {
  useStrictNock();

  test("a token for that one repository and contents: read, and the clone URL GitHub gives for its id, asked with that token", async () => {
    nock(API)
      .post("/app/installations/7/access_tokens", { repository_ids: [42], permissions: { contents: "read" } })
      .reply(201, { token: "ghs_scoped", expires_at: "2030-01-01T00:00:00Z" });
    nock(API, { reqheaders: { authorization: "token ghs_scoped" } })
      .get("/installation/repositories")
      .query({ per_page: 100 })
      .reply(200, { total_count: 1, repositories: [repository(42, `${WEB}/acme/web.git`)] });
    await expect(source({ installationId: 7, repositoryId: 42 })).resolves.toEqual({ cloneUrl: `${WEB}/acme/web.git`, token: "ghs_scoped" });
  });

  test("a repository the token cannot see is no source", async () => {
    nock(API).post("/app/installations/7/access_tokens").reply(201, { token: "ghs_scoped", expires_at: "2030-01-01T00:00:00Z" });
    nock(API)
      .get("/installation/repositories")
      .query(true)
      .reply(200, { total_count: 1, repositories: [repository(43, `${WEB}/acme/other.git`)] });
    await expect(source({ installationId: 7, repositoryId: 42 })).rejects.toThrow("GitHub does not show repository 42 to this installation");
  });

  test("a clone URL on another host is refused: the token goes to the configured GitHub only", async () => {
    nock(API).post("/app/installations/7/access_tokens").reply(201, { token: "ghs_scoped", expires_at: "2030-01-01T00:00:00Z" });
    nock(API)
      .get("/installation/repositories")
      .query(true)
      .reply(200, { total_count: 1, repositories: [repository(42, "https://attacker.example/acme/web.git")] });
    await expect(source({ installationId: 7, repositoryId: 42 })).rejects.toThrow(
      "GitHub gave the clone URL https://attacker.example/acme/web.git, which is not on https://ghe.example.com: the token is sent to https://ghe.example.com only",
    );
  });
});
