import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { parseBuildspec } from "../../src/adapters/local/buildspec.js";
import { checkDeployUrl } from "../../src/deployments/deploy-url.js";

const BUILDSPECS = resolve(dirname(fileURLToPath(import.meta.url)), "../../buildspecs");

interface Buildspec {
  version: unknown;
  env: { shell: string; variables?: Record<string, string> };
  phases: Record<string, { "runtime-versions"?: Record<string, unknown>; commands: string[] }>;
  cache?: { paths: string[] };
  artifacts?: { files: string[]; "exclude-paths"?: string[] };
}

function load(name: string): Buildspec {
  return parse(readFileSync(join(BUILDSPECS, `${name}.yml`), "utf8")) as Buildspec;
}

const nextjs = load("nextjs-build");
const node = load("node");

describe.each([
  ["nextjs-build", nextjs, ["install", "build"]],
  ["node", node, ["install", "pre_build", "build"]],
])("buildspecs/%s.yml", (_, spec, phases) => {
  test("is a CodeBuild buildspec 0.2 run by bash", () => {
    expect(String(spec.version)).toBe("0.2");
    expect(spec.env.shell).toBe("bash");
    expect(Object.keys(spec.phases)).toEqual(phases);
    expect(spec.phases.install?.["runtime-versions"]).toEqual({ nodejs: 22 });
    expect(spec.cache?.paths).toContain("node_modules/**/*");
  });

  test("every command is valid bash", () => {
    for (const phase of Object.values(spec.phases)) {
      for (const command of phase.commands) {
        const check = spawnSync("bash", ["-n"], { input: command, encoding: "utf8" });
        expect(check.stderr).toBe("");
        expect(check.status).toBe(0);
      }
    }
  });
});

test("nextjs-build caches and uploads what Next.js builds", () => {
  expect(nextjs.cache?.paths).toEqual(expect.arrayContaining(["node_modules/**/*", ".next/cache/**/*"]));
  expect(nextjs.artifacts?.files).toEqual(expect.arrayContaining([".next/**/*", "public/**/*", "package.json"]));
  expect(nextjs.artifacts?.["exclude-paths"]).toEqual([".next/cache/**/*"]);
});

test("both builtins install the same way", () => {
  expect(node.phases.install).toEqual(nextjs.phases.install);
});

/**
 * Runs a buildspec's phases as CodeBuild does (one bash, shell variables kept, stop at the first
 * failing command) in a directory holding `files`, with package managers replaced by stubs that
 * record how they were called.
 */
function runBuildspec(spec: Buildspec, files: Record<string, string>, options: { stubs?: string[]; env?: Record<string, string> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "buildspec-"));
  try {
    const bin = join(dir, ".bin");
    mkdirSync(bin);
    for (const tool of ["bash", "node", "env", "cut"]) {
      const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    for (const stub of options.stubs ?? ["npm", "pnpm", "yarn", "bun", "corepack"]) {
      writeFileSync(
        join(bin, stub),
        [
          "#!/usr/bin/env bash",
          "name=${0##*/}",
          'if [ "$name" = yarn ] && [ "$1" = --version ]; then echo "${STUB_YARN_VERSION:-1.22.22}"; exit 0; fi',
          'echo "$name $* NODE_ENV=${NODE_ENV-unset}" >> "$STUB_LOG"',
          '[ "$name $*" != "${STUB_FAIL:-}" ]',
        ].join("\n"),
      );
      chmodSync(join(bin, stub), 0o755);
    }
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const log = join(dir, ".calls");
    writeFileSync(log, "");
    const script = Object.values(spec.phases)
      .flatMap((phase) => phase.commands)
      .map((command) => `{\n${command}\n} || exit $?`)
      .join("\n");
    const run = spawnSync(join(bin, "bash"), ["-c", script], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: bin, STUB_LOG: log, NODE_ENV: "production", ...spec.env.variables, ...options.env },
    });
    return { status: run.status, stderr: run.stderr, calls: readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const withBuild = JSON.stringify({ scripts: { build: "next build" } });
const withoutScripts = JSON.stringify({ name: "app" });

describe("nextjs-build installs with the lockfile's package manager, dev dependencies included, and builds for production", () => {
  test.each<[string, Record<string, string>, Record<string, string>, string[]]>([
    [
      "pnpm",
      { "pnpm-lock.yaml": "", "package.json": withBuild },
      {},
      ["corepack enable pnpm NODE_ENV=production", "pnpm install --frozen-lockfile NODE_ENV=unset", "pnpm run build NODE_ENV=production"],
    ],
    [
      "yarn 1",
      { "yarn.lock": "", "package.json": withBuild },
      {},
      ["corepack enable yarn NODE_ENV=production", "yarn install --frozen-lockfile NODE_ENV=unset", "yarn run build NODE_ENV=production"],
    ],
    [
      "yarn 4",
      { "yarn.lock": "", "package.json": withBuild },
      { STUB_YARN_VERSION: "4.5.1" },
      ["corepack enable yarn NODE_ENV=production", "yarn install --immutable NODE_ENV=unset", "yarn run build NODE_ENV=production"],
    ],
    [
      "bun (bun.lockb)",
      { "bun.lockb": "", "package.json": withBuild },
      {},
      ["bun install --frozen-lockfile NODE_ENV=unset", "bun run build NODE_ENV=production"],
    ],
    [
      "bun (bun.lock)",
      { "bun.lock": "", "package.json": withBuild },
      {},
      ["bun install --frozen-lockfile NODE_ENV=unset", "bun run build NODE_ENV=production"],
    ],
    ["npm", { "package-lock.json": "{}", "package.json": withBuild }, {}, ["npm ci NODE_ENV=unset", "npm run build NODE_ENV=production"]],
    ["npm without a lockfile", { "package.json": withBuild }, {}, ["npm install NODE_ENV=unset", "npm run build NODE_ENV=production"]],
    [
      "NODE_ENV set otherwise",
      { "package-lock.json": "{}", "package.json": withBuild },
      { NODE_ENV: "development" },
      ["npm ci NODE_ENV=unset", "npm run build NODE_ENV=production"],
    ],
    [
      "no build script: npm",
      { "package-lock.json": "{}", "package.json": withoutScripts },
      {},
      ["npm ci NODE_ENV=unset", "npm exec --no -- next build NODE_ENV=production"],
    ],
    [
      "no build script: pnpm",
      { "pnpm-lock.yaml": "", "package.json": withoutScripts },
      {},
      ["corepack enable pnpm NODE_ENV=production", "pnpm install --frozen-lockfile NODE_ENV=unset", "pnpm exec next build NODE_ENV=production"],
    ],
    [
      "no build script: yarn",
      { "yarn.lock": "", "package.json": withoutScripts },
      {},
      ["corepack enable yarn NODE_ENV=production", "yarn install --frozen-lockfile NODE_ENV=unset", "yarn next build NODE_ENV=production"],
    ],
    [
      "no build script: bun",
      { "bun.lock": "", "package.json": withoutScripts },
      {},
      ["bun install --frozen-lockfile NODE_ENV=unset", "bun run next build NODE_ENV=production"],
    ],
  ])("%s", (_, files, env, calls) => {
    const run = runBuildspec(nextjs, files, { env });
    expect(run.calls).toEqual(calls);
    expect(run.status).toBe(0);
  });

  test("a bun lockfile without bun fails, saying why", () => {
    const run = runBuildspec(nextjs, { "bun.lock": "", "package.json": withBuild }, { stubs: ["npm", "corepack"] });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("this build image has no bun");
    expect(run.calls).toEqual([]);
  });

  test("a failed install stops the build", () => {
    const run = runBuildspec(nextjs, { "package-lock.json": "{}", "package.json": withBuild }, { env: { STUB_FAIL: "npm ci" } });
    expect(run.status).not.toBe(0);
    expect(run.calls).toEqual(["npm ci NODE_ENV=unset"]);
  });
});

describe("node runs the package's test script, then its build script", () => {
  const scripts = (s: Record<string, string>) => JSON.stringify({ scripts: s });
  test.each<[string, string, Record<string, string>, string[], number]>([
    [
      "test and build",
      scripts({ test: "jest", build: "tsc" }),
      {},
      ["npm ci NODE_ENV=unset", "npm run test NODE_ENV=test", "npm run build NODE_ENV=production"],
      0,
    ],
    ["build only", scripts({ build: "tsc" }), {}, ["npm ci NODE_ENV=unset", "npm run build NODE_ENV=production"], 0],
    ["test only", scripts({ test: "vitest run" }), {}, ["npm ci NODE_ENV=unset", "npm run test NODE_ENV=test"], 0],
    ["npm init's placeholder test counts as none", scripts({ test: 'echo "Error: no test specified" && exit 1' }), {}, ["npm ci NODE_ENV=unset"], 0],
    ["no scripts", withoutScripts, {}, ["npm ci NODE_ENV=unset"], 0],
    [
      "failing tests stop the build",
      scripts({ test: "jest", build: "tsc" }),
      { STUB_FAIL: "npm run test" },
      ["npm ci NODE_ENV=unset", "npm run test NODE_ENV=test"],
      1,
    ],
  ])("%s", (_, packageJson, env, calls, status) => {
    const run = runBuildspec(node, { "package-lock.json": "{}", "package.json": packageJson }, { env });
    expect(run.calls).toEqual(calls);
    expect(run.status).toBe(status);
  });

  test("with pnpm", () => {
    const run = runBuildspec(node, { "pnpm-lock.yaml": "", "package.json": scripts({ test: "jest", build: "tsc" }) });
    expect(run.calls).toEqual([
      "corepack enable pnpm NODE_ENV=production",
      "pnpm install --frozen-lockfile NODE_ENV=unset",
      "pnpm run test NODE_ENV=test",
      "pnpm run build NODE_ENV=production",
    ]);
  });
});

describe("the deploy step builtin:nextjs-build documents", () => {
  /** The commented example, uncommented: what a user pastes into their copy. */
  const example = (() => {
    const text = readFileSync(join(BUILDSPECS, "nextjs-build.yml"), "utf8");
    const lines = text.split("\n");
    const from = lines.indexOf("# deploy-step-begin");
    const to = lines.indexOf("# deploy-step-end");
    return lines
      .slice(from + 1, to)
      .map((line) => line.replace(/^# {3}/, ""))
      .join("\n");
  })();

  test("is a buildspec the local runner reads, exporting DEPLOY_URL", () => {
    const parsed = parseBuildspec(`version: 0.2\n${example}\n`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.buildspec.exportedVariables).toEqual(["DEPLOY_URL"]);
  });

  test.each([
    ["production", "", "https://www.example.com/", "s3://site-bucket/"],
    ["preview", "12", "https://www.example.com/previews/pr-12/", "s3://site-bucket/previews/pr-12/"],
  ])("in %s: copies the export to S3 and exports an address the app publishes", (environment, prNumber, url, destination) => {
    const parsed = parseBuildspec(`version: 0.2\n${example}\n`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const [command] = parsed.buildspec.phases.post_build.commands;
    const script = [
      // The AWS CLI, stubbed: it says where it would copy.
      'aws() { echo "aws $*"; }',
      "CODEBUILD_BUILD_SUCCEEDING=1 ENVIRONMENT=$1 PR_NUMBER=$2 COMMIT_SHA=abc SITE_BUCKET=site-bucket SITE_DOMAIN=www.example.com",
      command,
      'echo "DEPLOY_URL=$DEPLOY_URL"',
    ].join("\n");
    const run = spawnSync("bash", ["-c", script, "bash", environment, prNumber], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(`aws s3 sync out/ ${destination} --delete`);
    const exported = /^DEPLOY_URL=(.*)$/m.exec(run.stdout)?.[1] ?? "";
    expect(checkDeployUrl(exported)).toEqual({ ok: true, url });
  });
});
