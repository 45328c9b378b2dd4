import { readFileSync } from "node:fs";

/** The container image's recipe, read as text: Docker itself is not on every test machine. */
const dockerfile = readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8");
const ignored = readFileSync(new URL("../../.dockerignore", import.meta.url), "utf8")
  .split("\n")
  .map((l) => l.trim());
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1) ?? "";

describe("Dockerfile", () => {
  test("is multi-stage: compiled in one stage, the runtime stage takes only dist/ from it", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/RUN npm run build/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).not.toMatch(/COPY src/);
  });

  test("the build stage has every TypeScript project npm run build compiles (the server's and the pages' scripts)", () => {
    const build = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: { build: string } }).scripts.build;
    const projects = build.match(/tsconfig[\w.]*\.json/g) ?? [];
    expect(projects).toEqual(expect.arrayContaining(["tsconfig.build.json", "tsconfig.browser.json"]));
    const copied = [...(stages[0] ?? "").matchAll(/^COPY ([^\n]+) \.\/$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    for (const project of ["tsconfig.json", ...projects]) expect(copied).toContain(project);
  });

  test("installs production dependencies only, from the lockfile", () => {
    expect(runtime).toMatch(/RUN npm ci --omit=dev/);
  });

  test("runs as a non-root user, with a health check on /healthz, under an init that forwards SIGTERM", () => {
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(runtime).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    expect(runtime).toMatch(/CMD \["node", "dist\/main\.js"\]/);
  });

  test("has what the local runner needs: git, and bubblewrap for its sandbox; the data volume is the app user's alone", () => {
    const installed = /apt-get install[^\n]*(?:\\\n[^\n]*)*/.exec(runtime)?.[0] ?? "";
    for (const pkg of ["git", "bubblewrap", "tini"]) expect(installed.split(/\s+/)).toContain(pkg);
    expect(runtime).toMatch(/chown node:node \/data && chmod 0700 \/data/);
  });

  test(".dockerignore keeps secrets, data and local builds out of the build context", () => {
    for (const entry of ["node_modules", ".env", "*.pem", ".data", ".git"]) expect(ignored).toContain(entry);
  });
});
