import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { MemoryBuildRecordStore } from "../../src/adapters/memory/records.js";
import { createHttpApp, httpHandler } from "../../src/http/app.js";
import { buildRoutes } from "../../src/http/build-routes.js";
import { GitHubUsers } from "../../src/http/github-user.js";
import { RepositoryAccessResolver } from "../../src/http/repository-access.js";
import { Sessions } from "../../src/http/session.js";
import { signInRoutes } from "../../src/http/sign-in.js";
import type { Settings } from "../../src/settings.js";
import { createMasker } from "../../src/variables/masking.js";
import { testPrivateKey } from "../support/fake-github.js";
import { MemoryBuildLogStore } from "../support/memory-build-logs.js";
import { FakeGitHubApi, GITHUB_API, OAUTH } from "./api-harness.js";

export const SESSION_SECRET = "session-secret-for-build-routes-tests";

export interface BuildSite {
  url: string;
  github: FakeGitHubApi;
  records: MemoryBuildRecordStore;
  logStore: MemoryBuildLogStore;
  /** Build ids the runner was asked to stop. */
  stopped: string[];
  /** The values every build's pages are masked with (its secrets and `::add-mask::` values, as BuildMaskers would find them). */
  maskedValues: string[];
  /** Everything the routes logged. */
  logs: string[];
  /** A `name=value` session cookie for `user`, as the sign-in would set it. */
  sessionCookie(user: { login: string; id: number }): Promise<string>;
  close(): Promise<void>;
}

/**
 * The build routes (and sign-in) as the app serves them: the Probot handler inside a plain
 * node:http server, in-memory records and log store, a runner that records stops, and GitHub
 * faked with nock. The clock is fixed at 12:01:00, a minute into the builds of build-records.ts.
 */
export async function startBuildSite(options: { oauth?: Settings["oauth"] | null } = {}): Promise<BuildSite> {
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1:\d+$/);
  const github = new FakeGitHubApi();
  github.install();

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const now = Date.parse("2024-05-01T12:01:00Z");
  const logs: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const probot = new Probot({ appId: 1, privateKey: testPrivateKey(), log: pino({ level: "silent" }) });
  const settings = {
    oauth: options.oauth === null ? undefined : (options.oauth ?? OAUTH),
    sessionSecret: SESSION_SECRET,
    githubWebUrl: "https://github.com",
    githubApiUrl: GITHUB_API,
    publicUrl: url,
  };
  const sessions = new Sessions(SESSION_SECRET, url, () => now);
  const records = new MemoryBuildRecordStore();
  const logStore = new MemoryBuildLogStore();
  const stopped: string[] = [];
  const maskedValues: string[] = [];
  const routes = buildRoutes({
    settings,
    records,
    logStore,
    maskers: { forBuild: async () => ({ masker: createMasker(maskedValues), full: false }) },
    runner: { stop: async (id) => void stopped.push(id) },
    sessions,
    access: new RepositoryAccessResolver({ app: () => probot.auth(), installation: (id) => probot.auth(id) }, { allows: async () => true }, () => now),
    users: new GitHubUsers(settings, () => now),
    log,
    now: () => new Date(now),
  });
  const handler = httpHandler(createHttpApp(log, [routes, signInRoutes({ settings, sessions, log })]));
  server.on("request", (req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "content-type": "text/plain" }).end("not the app's");
    });
  });

  return {
    url,
    github,
    records,
    logStore,
    stopped,
    maskedValues,
    logs,
    async sessionCookie(user) {
      const signIn = new Hono();
      signIn.get("/", (c) => {
        sessions.start(c, user);
        return c.body(null, 204);
      });
      const setCookie = (await signIn.request("/")).headers.get("set-cookie") ?? "";
      return setCookie.split(";")[0]!;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}
