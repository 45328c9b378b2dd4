import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Files of a commit: path in the repository → contents. */
export type Files = Record<string, string>;

/**
 * The demo's project: a small Next.js-style site whose buildspec lints its pages, renders them and
 * prints a route table, with Node.js alone: nothing is installed or downloaded.
 */
export const SAMPLE_FILES: Files = {
  "package.json": `${JSON.stringify({ name: "demo-site", private: true, type: "module", scripts: { lint: "node scripts/lint.mjs", build: "node scripts/build.mjs" } }, null, 2)}\n`,
  "buildspec.yml": `version: 0.2
# A Next.js-style build that needs no network: lint the pages, render them, list the routes.
env:
  variables:
    NEXT_TELEMETRY_DISABLED: "1"
phases:
  install:
    commands:
      - node --version
      - echo "Nothing to install, the demo site has no dependencies"
  pre_build:
    commands:
      - node scripts/lint.mjs
  build:
    commands:
      - node scripts/build.mjs
  post_build:
    commands:
      - ls -l out
`,
  ".github/codebuild.yml": `# The app's settings for this repository: the build's variables.
env:
  NEXT_PUBLIC_SITE_NAME: Demo site
`,
  "pages/index.js": `export default function Home() {
  return "<h1>Welcome to " + process.env.NEXT_PUBLIC_SITE_NAME + "</h1>";
}
`,
  "pages/about.js": `export default function About() {
  return "<p>Built by codebuild-checks on this machine.</p>";
}
`,
  "scripts/lint.mjs": `// Lints the pages as ESLint's no-console rule would, reporting each problem as a GitHub annotation.
import { readFileSync, readdirSync } from "node:fs";

console.log("> lint: checking pages/");
let problems = 0;
for (const file of readdirSync("pages")) {
  readFileSync(\`pages/\${file}\`, "utf8").split("\\n").forEach((line, index) => {
    const column = line.indexOf("console.");
    if (column === -1) return;
    problems++;
    console.log(\`::error file=pages/\${file},line=\${index + 1},col=\${column + 1}::Unexpected console statement (no-console)\`);
  });
}
if (problems > 0) {
  console.log(\`✖ \${problems} problem\${problems === 1 ? "" : "s"}\`);
  process.exit(1);
}
console.log("✔ No ESLint warnings or errors");
`,
  "scripts/build.mjs": `// Renders every page to out/ and prints the routes, as \`next build\` does for a static site.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";

console.log("   ▲ Next.js-style build of " + process.env.NEXT_PUBLIC_SITE_NAME);
console.log("   Creating an optimized production build ...");
await new Promise((resolve) => setTimeout(resolve, 1500));
mkdirSync("out", { recursive: true });
const routes = [];
for (const file of readdirSync("pages").sort()) {
  const page = (await import(\`../pages/\${file}\`)).default;
  const name = file.replace(/\\.js$/, "");
  const html = \`<!doctype html><title>\${name}</title>\${page()}\`;
  writeFileSync(\`out/\${name}.html\`, html);
  routes.push([name === "index" ? "/" : \`/\${name}\`, \`\${Buffer.byteLength(html)} B\`]);
}
console.log(" ✓ Compiled successfully");
console.log("Route (pages)                Size");
routes.forEach(([route, size], i) => console.log(\`\${i === routes.length - 1 ? "└" : "├"} ○ \${route.padEnd(24)} \${size}\`));
console.log("○  (Static)  prerendered as static content");
`,
};

/** The second commit: a page that logs, which the lint step refuses. */
export const FAILING_CHANGE: Files = {
  "pages/index.js": `export default function Home() {
  const name = process.env.NEXT_PUBLIC_SITE_NAME;
  console.log("rendering the home page of", name);
  return "<h1>Welcome to " + name + "</h1>";
}
`,
};

/** A git repository of the demo's project in `directory`, committed to as a developer would. */
export class SampleRepository {
  constructor(readonly directory: string) {}

  async init(): Promise<void> {
    await this.git("init", "-q", "-b", "main");
  }

  /** Writes `files` and commits them; the commit's sha. */
  async commit(files: Files, message: string): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(this.directory, path)), { recursive: true });
      await writeFile(join(this.directory, path), content);
    }
    await this.git("add", "-A");
    await this.git("commit", "-q", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  private async git(...args: string[]): Promise<string> {
    const identity = ["-c", "user.name=Demo", "-c", "user.email=demo@example.com", "-c", "commit.gpgsign=false"];
    const { stdout } = await run("git", [...identity, ...args], {
      cwd: this.directory,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    });
    return stdout.trim();
  }
}
