import fc from "fast-check";
import type { ParsedComment } from "../../src/commands/parse.js";
import { parseComment } from "../../src/workflows/commands/registry.js";
import { MAX_COMMANDS_PER_COMMENT } from "../../src/commands/types.js";
import { variableNameProblem } from "../../src/domain/variable-names.js";

const RUNS = 1500;
const LINE_END = /\r\n|\r|\n/;

/** What holds for every comment, whatever it says. */
function expectWellFormed(body: string, parsed: ParsedComment): void {
  const lineCount = body.split(LINE_END).length;
  expect(parsed.commands.length).toBeLessThanOrEqual(MAX_COMMANDS_PER_COMMENT);
  if (parsed.tooMany) {
    expect(parsed.commands).toHaveLength(MAX_COMMANDS_PER_COMMENT);
    expect(parsed.tooMany.found).toBeGreaterThan(MAX_COMMANDS_PER_COMMENT);
  }
  const lines = parsed.commands.map((c) => c.line);
  expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  expect(new Set(lines).size).toBe(lines.length);
  for (const command of parsed.commands) {
    expect(command.line).toBeGreaterThanOrEqual(1);
    expect(command.line).toBeLessThanOrEqual(lineCount);
    if (!command.ok) {
      expect(command.verb).toMatch(/^\/(env|secret|build|cancel|help)( set| unset| list)?$/);
      expect(command.message).not.toBe("");
      expect(command.usage.startsWith(command.verb.split(" ")[0] as string)).toBe(true);
    }
  }
}

const lineEnd = fc.constantFrom("\n", "\r\n", "\r");
/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const name = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/).filter((n) => variableNameProblem(n) === null);
const word = fc.oneof(
  fc.constantFrom("/env", "/secret", "/build", "/cancel", "/help", "/environment", "set", "unset", "list", "--environment", "--environment=preview", "-e"),
  fc.constantFrom("production", "preview", "all", "staging", "abcdef1", "sealed:AbC+/9==", "KEY=", "=", "hunter2"),
  fc.constantFrom("'", '"', "\\", "`", "```", "~~~", "````", ">", "- ", "1. ", "<!--", "-->", '<a title="', "#", "***", "==="),
  name.map((n) => `${n}=`),
  fc.string({ unit: "binary", maxLength: 8 }).map((s) => s.replace(/[\r\n]/g, "")),
);
const spacing = fc.constantFrom("", " ", "  ", "   ", "    ", "\t", " \t");
const commentLikeLine = fc
  .tuple(spacing, fc.array(fc.tuple(word, spacing), { maxLength: 6 }))
  .map(([lead, parts]) => lead + parts.map(([w, s]) => w + s).join(""));
const commentLike = fc.tuple(fc.array(commentLikeLine, { maxLength: 30 }), lineEnd).map(([lines, end]) => lines.join(end));

describe("no comment breaks the parser", () => {
  test.each<[string, fc.Arbitrary<string>]>([
    ["any text", fc.string({ unit: "binary", maxLength: 400 })],
    ["any UTF-16, lone surrogates included", fc.string({ unit: codeUnit, maxLength: 400 })],
    ["comment-like text of verbs, names, quotes, fences and markers", commentLike],
  ])("%s", (_name, body) => {
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseComment(text);
        expectWellFormed(text, parsed);
        expect(parseComment(text)).toEqual(parsed);
      }),
      { numRuns: RUNS },
    );
  });
});

/** Values as a shell reads them back, written three ways. */
const quotings: Record<string, (value: string) => string> = {
  single: (v) => `'${v.replaceAll("'", "'\\''")}'`,
  double: (v) => `"${v.replace(/["\\$`]/g, "\\$&")}"`,
  backslashes: (v) => v.replace(/[ \t'"\\]/g, "\\$&"),
};
const quoting = fc.constantFrom(...Object.keys(quotings));
/** A value on one line: any text but line ends, rich in what shells treat specially. */
const valueChar = fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), fc.constantFrom(..."'\"\\$`= \t#~*-<>!&|;(){}[]?"));
const value = fc.string({ unit: valueChar, maxLength: 60 }).map((v) => v.replace(/[\r\n]/g, ""));
const assignments = fc.uniqueArray(fc.tuple(name, value, quoting, fc.boolean()), { minLength: 1, maxLength: 6, selector: ([n]) => n });
const environment = fc.constantFrom(undefined, "all", "production", "preview");

/** `NAME=value` quoted one of three ways, the quotes around the value or around the whole word. */
function written([n, v, how, wholeWord]: [string, string, string, boolean]): string {
  const quote = quotings[how] as (value: string) => string;
  return wholeWord ? quote(`${n}=${v}`) : `${n}=${quote(v)}`;
}

describe("shell-quoted assignments read back as written", () => {
  test("/env set, with any values, in a comment with other lines", () => {
    fc.assert(
      fc.property(assignments, environment, lineEnd, (list, env, end) => {
        const flag = env === undefined ? [] : [`--environment ${env}`];
        const body = ["Setting these:", "", `/env set ${[...list.map(written), ...flag].join(" ")}`, "thanks"].join(end);
        expect(parseComment(body)).toEqual({
          commands: [
            {
              ok: true,
              line: 3,
              command: { verb: "env set", environment: env ?? "all", assignments: list.map(([n, v]) => ({ name: n, value: v })) },
            },
          ],
        });
      }),
      { numRuns: RUNS },
    );
  });

  test("/secret set, with any non-empty value", () => {
    fc.assert(
      fc.property(
        name,
        value.filter((v) => v !== ""),
        quoting,
        fc.boolean(),
        environment,
        (n, v, how, wholeWord, env) => {
          const flag = env === undefined ? "" : ` --environment=${env}`;
          const [parsed] = parseComment(`/secret set ${written([n, v, how, wholeWord])}${flag}`).commands;
          expect(parsed).toEqual({ ok: true, line: 1, command: { verb: "secret set", environment: env ?? "all", assignment: { name: n, value: v } } });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** A fence and the lines inside it; `closed` when it has its closing line. */
const fence = fc
  .record({
    char: fc.constantFrom("`", "~"),
    length: fc.integer({ min: 3, max: 6 }),
    indent: fc.integer({ min: 0, max: 3 }),
    info: fc.constantFrom("", "sh", " bash title=x", " ~~~"),
    closingExtra: fc.integer({ min: 0, max: 3 }),
    closed: fc.boolean(),
    inListItem: fc.boolean(),
    inner: fc.array(fc.oneof(commentLikeLine, fc.constantFrom("/help", "/cancel", "/env set A=1", "", "   /build")), { maxLength: 12 }),
  })
  .filter(({ char, info }) => !(char === "`" && info.includes("`")));

describe("lines inside a fenced code block are never commands", () => {
  test("top-level and list-item fences, closed or not, with commands around them", () => {
    fc.assert(
      fc.property(fence, lineEnd, (f, end) => {
        const run = f.char.repeat(f.length);
        const closes = new RegExp(`^[ \\t]*\\${f.char}{${f.length},}[ \\t]*$`);
        const inner = f.inner.filter((line) => !closes.test(line));
        const container = f.inListItem ? "  " : "";
        const fenceLines = [
          `${container}${" ".repeat(f.indent)}${run}${f.info}`,
          ...inner.map((line) => container + line),
          ...(f.closed ? [`${container}${" ".repeat(f.indent)}${run}${f.char.repeat(f.closingExtra)}`] : []),
        ];
        const before = ["/help", "", ...(f.inListItem ? ["- a step:"] : [])];
        const after = f.closed ? ["", "/cancel"] : [];
        const body = [...before, ...fenceLines, ...after].join(end);
        const first = before.length + 1;
        const last = first + fenceLines.length - 1;
        const lines = parseComment(body).commands.map((c) => c.line);
        expect(lines.filter((l) => l >= first && l <= last)).toEqual([]);
        expect(lines).toEqual(f.closed ? [1, last + 2] : [1]);
      }),
      { numRuns: RUNS },
    );
  });
});
