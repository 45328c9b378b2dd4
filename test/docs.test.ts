import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The README and the documents it leads to, as a reader (and GitHub's renderer) meets them. */
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DOCUMENTS = ["README.md", "deploy/README.md", ...readdirSync(join(ROOT, "docs")).map((file) => `docs/${file}`)];
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
/** npm's own commands a README may name besides the package's scripts. */
const NPM_COMMANDS = new Set(["install", "ci"]);
/** The most the README may hold: its first screen and an index, the rest lives in docs/. */
const README_MAX_BYTES = 12 * 1024;

/** What comes before the README's first section: the first screen. */
function firstScreen(): string {
  const readme = read("README.md");
  return readme.slice(0, readme.indexOf("\n## "));
}

/** `npm <command> [name]` as written in `text`'s code (fenced or inline). */
function npmCommands(text: string): { command: string; name?: string }[] {
  return [...text.matchAll(/\bnpm (run|[a-z-]+)\b(?: (?!--)([\w:-]+))?/g)].map((m) => (m[1] === "run" ? { command: "run", name: m[2] } : { command: m[1]! }));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, "")
    .replaceAll(" ", "-");
}

function anchorsOf(file: string): Set<string> {
  const headings = read(file)
    .replace(/```[\s\S]*?```/g, "")
    .split("\n")
    .filter((line) => /^#{1,6} /.test(line));
  return new Set(headings.map((line) => anchorOf(line.replace(/^#+ /, ""))));
}

describe("the README's first screen", () => {
  test("the two commands, then the demo, as the first lines of code", () => {
    const code = /```sh\n([\s\S]*?)```/.exec(firstScreen())?.[1] ?? "";
    const commands = code
      .split("\n")
      .map((line) => line.replace(/#.*$/, "").trim())
      .filter(Boolean);
    expect(commands).toEqual(["npm install && npm start", "npm ci && npm test", "npm run demo"]);
  });

  test("names only commands that exist: npm's own, or scripts of package.json", () => {
    const named = npmCommands(firstScreen());
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const { command, name } of named) {
      if (command === "run") expect(Object.keys(scripts)).toContain(name);
      else expect(NPM_COMMANDS.has(command) || command in scripts).toBe(true);
    }
  });

  test(`the whole README stays within ${README_MAX_BYTES} bytes`, () => {
    expect(Buffer.byteLength(read("README.md"))).toBeLessThanOrEqual(README_MAX_BYTES);
  });
});

describe.each(DOCUMENTS)("%s", (file) => {
  test("every `npm run` it names is a script of package.json", () => {
    for (const { command, name } of npmCommands(read(file))) if (command === "run") expect(Object.keys(scripts)).toContain(name);
  });

  test("every relative link leads to a file of the repository, and its #anchor to a heading there", () => {
    const text = read(file).replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const linked = path === "" ? file : relative(ROOT, join(ROOT, dirname(file), path));
      expect({ target, exists: existsSync(join(ROOT, linked)) }).toEqual({ target, exists: true });
      if (anchor !== undefined) expect({ target, anchors: [...anchorsOf(linked)].includes(anchor) }).toEqual({ target, anchors: true });
    }
  });

  test("no table is broken by a blank line (GitHub would show its rows as text)", () => {
    const lines = read(file).split("\n");
    const broken = lines.flatMap((line, i) => (line.trim() === "" && lines[i - 1]?.startsWith("|") && lines[i + 1]?.startsWith("|") ? [i + 1] : []));
    expect(broken).toEqual([]);
  });
});
