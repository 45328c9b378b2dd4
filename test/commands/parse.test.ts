import { helpTable, parseComment, USAGE, usageOf, type Command, type ParsedLine } from "../../src/workflows/commands/registry.js";
import { MAX_VALUE_BYTES } from "../../src/domain/variable-names.js";

/** The line numbers of a comment's command lines, valid or not. */
const commandLines = (body: string) => parseComment(body).commands.map((c) => c.line);

/** The one command of a one-line comment. */
function parsedLine(text: string): ParsedLine {
  const { commands } = parseComment(text);
  if (commands.length !== 1) throw new Error(`expected one command line, got ${commands.length}`);
  return commands[0] as ParsedLine;
}

function commandOf(text: string): Command {
  const parsed = parsedLine(text);
  if (!parsed.ok) throw new Error(`expected a command, got: ${parsed.message}`);
  return parsed.command;
}

function errorOf(text: string): Extract<ParsedLine, { ok: false }> {
  const parsed = parsedLine(text);
  if (parsed.ok) throw new Error(`expected a usage error, got: ${JSON.stringify(parsed.command)}`);
  return parsed;
}

describe("which lines are commands", () => {
  test.each<[string, string, number[]]>([
    ["a comment without commands", "Looks good to me, thanks!", []],
    ["an empty comment", "", []],
    ["a verb alone", "/help", [1]],
    ["a command among prose", "Thanks!\n/help\nSee you", [2]],
    ["lines counted from 1, blank ones included", "\n\n/help", [3]],
    ["CRLF line ends", "Thanks\r\n/help\r\n/cancel\r\n", [2, 3]],
    ["CR line ends", "Thanks\r/help\r/cancel", [2, 3]],
    ["mixed line ends", "a\r\n/help\n/cancel\r/build", [2, 3, 4]],
    ["up to three leading spaces", " /help\n  /help\n   /help", [1, 2, 3]],
    ["four leading spaces: indented code", "    /help", []],
    ["a leading tab: indented code", "\t/help", []],
    ["a verb followed by a tab", "/env\tlist", [1]],
    ["a verb in the middle of a line", "please /help", []],
    ["a longer word than the verb", "/environment\n/envy\n/helpme\n/builds\n/cancelled", []],
    ["punctuation after the verb", "/help.\n/help!\n/build,", []],
    ["verbs are lowercase", "/Help\n/HELP\n/Env list", []],
    ["an unknown verb", "/deploy\n/approve", []],
    ["no-break space after the verb", "/help\u00a0now", []],
    ["unicode around commands", "Ça va ? 🎉\n/help\n日本語のコメント", [2]],
    ["a backtick fence", "```\n/help\n```\n/cancel", [4]],
    ["a tilde fence", "~~~\n/help\n~~~\n/cancel", [4]],
    ["a fence with an info string", "```bash\n/help\n```\n/cancel", [4]],
    ["a fence indented by up to three spaces", "   ```\n/help\n   ```\n/cancel", [4]],
    ["a longer fence, closed only by one as long", "````\n```\n/help\n````\n/cancel", [5]],
    ["a closing fence longer than the opening one", "```\n/help\n`````\n/cancel", [4]],
    ["backticks do not close a tilde fence", "~~~\n```\n/help\n~~~\n/cancel", [5]],
    ["tildes do not close a backtick fence", "```\n~~~\n/help\n```\n/cancel", [5]],
    ["a fence with text after it does not close", "```\n``` not the end\n/help\n```\n/cancel", [5]],
    ["a fence indented four spaces does not close", "```\n    ```\n/help\n```\n/cancel", [5]],
    ["fence-like text nested in a longer fence", "`````\n````\n```\n/help\n```\n````\n`````\n/cancel", [8]],
    ["an unclosed fence runs to the end", "Try this:\n```\n/help\n\n/cancel", []],
    ["a fence opened in the middle of a paragraph", "Run:\n```\n/help\n```", []],
    ["a backtick fence whose info string holds a backtick is not a fence", "``` a`b\n\n/help", [3]],
    ["four spaces before a fence make indented code, not a fence", "    ```\n/help", [2]],
    ["a fence inside a list item", "- step one\n  ```\n  /help\n  ```\n/cancel", [5]],
    ["a list item's fence ends with the item; the closing-looking line opens a fence", "- ```\n  /help\n```\n/cancel\n```", []],
    ["a quote", "> /help", []],
    ["a quote after up to three spaces", "   > /help", []],
    ["a nested quote", ">> /help\n> > /cancel", []],
    ["a quote's lazy continuation line", "> you asked for this:\n/help", []],
    ["a blank line ends a quote", "> you asked for this:\n\n/help", [3]],
    ["a fence inside a quote ends with the quote", "> ```\n/help", [2]],
    ["an HTML comment", "<!--\n/help\n-->\n/cancel", [4]],
    ["an HTML comment on one line", "<!-- note -->\n/help", [2]],
    ["an unclosed HTML comment runs to the end", "<!--\n/help\n\n/cancel", []],
    ["an HTML comment opened inside a paragraph", "note <!--\n/help\n-->\n/cancel", [4]],
    ["an inline `<!--` without `-->` in its paragraph is text", "a <!-- b\n/help\n\n/cancel\n-->", [2, 4]],
    ["`<!--` in a code span is not a comment", "use `<!--` for notes\n/help", [2]],
    ["a code span across lines", "see `\n/help\n` above", []],
    ["an HTML attribute across lines", '<a title="\n/help\n">link</a>', []],
    ["indented code after a blank line", "Example:\n\n    /help", []],
    ["a paragraph's indented continuation is not a command", "Example:\n    /help", []],
    ["list items are not commands", "- /help\n* /help\n1. /help", []],
    ["text continuing a list item", "- item\n  /help", [2]],
    ["a list item's lazy continuation line", "- item\n/help", [2]],
    ["an empty list item ends at a blank line, so the fence after it is not the item's", "-\n\n   ```\n/help", []],
    ["a setext heading's text", "/help\n===", [1]],
    ["valid and invalid lines together", "/env set A=1\n/env frobnicate\n/help", [1, 2, 3]],
    [
      "a mixed comment",
      "Thanks!\n\n```sh\n/env set A=1\n```\n\n> /build\n\n<!-- /cancel -->\n/env list --environment preview\n~~~\n/help\n~~~\n/cancel",
      [10, 14],
    ],
  ])("%s", (_name, body, lines) => {
    expect(commandLines(body)).toEqual(lines);
  });
});

describe("commands", () => {
  const all = "all" as const;
  test.each<[string, Command]>([
    ["/env set KEY=value", { verb: "env set", environment: all, assignments: [{ name: "KEY", value: "value" }] }],
    [
      "/env set A=1 B=2 C_3=three",
      {
        verb: "env set",
        environment: all,
        assignments: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
          { name: "C_3", value: "three" },
        ],
      },
    ],
    ["/env set A=1 --environment production", { verb: "env set", environment: "production", assignments: [{ name: "A", value: "1" }] }],
    ["/env set --environment=preview A=1", { verb: "env set", environment: "preview", assignments: [{ name: "A", value: "1" }] }],
    ["/env set A=1 --environment all", { verb: "env set", environment: all, assignments: [{ name: "A", value: "1" }] }],
    ["/env  set \t A=1   ", { verb: "env set", environment: all, assignments: [{ name: "A", value: "1" }] }],
    ['/env set KEY="a b"', { verb: "env set", environment: all, assignments: [{ name: "KEY", value: "a b" }] }],
    ['/env set "KEY=a b"', { verb: "env set", environment: all, assignments: [{ name: "KEY", value: "a b" }] }],
    ["/env set KEY='a \"b\" \\c'", { verb: "env set", environment: all, assignments: [{ name: "KEY", value: 'a "b" \\c' }] }],
    [
      '/env set KEY="say \\"hi\\" \\\\ \\$HOME \\`x\\` \\n"',
      { verb: "env set", environment: all, assignments: [{ name: "KEY", value: 'say "hi" \\ $HOME `x` \\n' }] },
    ],
    ["/env set KEY=a\\ b\\'c", { verb: "env set", environment: all, assignments: [{ name: "KEY", value: "a b'c" }] }],
    ["/env set KEY=a\"b c\"'d e'f", { verb: "env set", environment: all, assignments: [{ name: "KEY", value: "ab cd ef" }] }],
    ["/env set EMPTY=", { verb: "env set", environment: all, assignments: [{ name: "EMPTY", value: "" }] }],
    ['/env set EMPTY=""', { verb: "env set", environment: all, assignments: [{ name: "EMPTY", value: "" }] }],
    ["/env set URL=https://x.test/?a=1&b=2", { verb: "env set", environment: all, assignments: [{ name: "URL", value: "https://x.test/?a=1&b=2" }] }],
    ["/env set EQ==", { verb: "env set", environment: all, assignments: [{ name: "EQ", value: "=" }] }],
    ["/env set HOME_DIR=$HOME~*#x`y`", { verb: "env set", environment: all, assignments: [{ name: "HOME_DIR", value: "$HOME~*#x`y`" }] }],
    [
      "/env set GREETING=héllo-wörld-🎉 NAME='日本 語'",
      {
        verb: "env set",
        environment: all,
        assignments: [
          { name: "GREETING", value: "héllo-wörld-🎉" },
          { name: "NAME", value: "日本 語" },
        ],
      },
    ],
    ["/env set NOTE=--environment", { verb: "env set", environment: all, assignments: [{ name: "NOTE", value: "--environment" }] }],
    ["/env set BIG=" + "x".repeat(MAX_VALUE_BYTES), { verb: "env set", environment: all, assignments: [{ name: "BIG", value: "x".repeat(MAX_VALUE_BYTES) }] }],
    ["/env unset A", { verb: "env unset", environment: all, names: ["A"] }],
    ["/env unset A B --environment preview", { verb: "env unset", environment: "preview", names: ["A", "B"] }],
    ["/env list", { verb: "env list", environment: all }],
    ["/env list --environment production", { verb: "env list", environment: "production" }],
    ["/secret set TOKEN=sealed:AbC+/9xyz0==", { verb: "secret set", environment: all, assignment: { name: "TOKEN", value: "sealed:AbC+/9xyz0==" } }],
    [
      "/secret set TOKEN=sealed:AbC+/9xyz0== --environment production",
      { verb: "secret set", environment: "production", assignment: { name: "TOKEN", value: "sealed:AbC+/9xyz0==" } },
    ],
    ["/secret set TOKEN=plain --environment=preview", { verb: "secret set", environment: "preview", assignment: { name: "TOKEN", value: "plain" } }],
    ['/secret set TOKEN="a b=c"', { verb: "secret set", environment: all, assignment: { name: "TOKEN", value: "a b=c" } }],
    ["/build", { verb: "build" }],
    ["/build 0123abc", { verb: "build", sha: "0123abc" }],
    ["/build ABCDEF0123", { verb: "build", sha: "abcdef0123" }],
    [`/build ${"a1".repeat(20)}`, { verb: "build", sha: "a1".repeat(20) }],
    ["/cancel", { verb: "cancel" }],
    ["/cancel   ", { verb: "cancel" }],
    ["/help", { verb: "help" }],
    ["   /help", { verb: "help" }],
  ])("%s", (text, command) => {
    expect(commandOf(text)).toEqual(command);
  });

  test("a comment's command carries its line number", () => {
    expect(parseComment("Hello\r\n\r\n/env list --environment preview")).toEqual({
      commands: [{ ok: true, line: 3, command: { verb: "env list", environment: "preview" } }],
    });
  });
});

describe("usage errors", () => {
  test.each<[string, string, RegExp]>([
    ["/env", "/env", /^\/env needs a subcommand: set, unset or list$/],
    ["/env frobnicate", "/env", /^"frobnicate" is not a subcommand of \/env: use set, unset or list/],
    ["/env SET A=1", "/env", /^"SET" is not a subcommand of \/env/],
    ["/env --environment preview set A=1", "/env", /^"--environment" is not a subcommand of \/env: .*options come after it/],
    ["/env set", "/env set", /^\/env set needs at least one KEY=VALUE$/],
    ["/env set --environment preview", "/env set", /^\/env set needs at least one KEY=VALUE$/],
    ["/env set FOO", "/env set", /^"FOO" is not KEY=VALUE: .*no spaces around =/],
    ["/env set A = 1", "/env set", /^"A" is not KEY=VALUE: .*; "" is not a valid variable name.*; "1" is not KEY=VALUE/],
    ["/env set foo=1", "/env set", /^"foo" is not a valid variable name/],
    ["/env set 1A=1", "/env set", /^"1A" is not a valid variable name/],
    ["/env set =1", "/env set", /^"" is not a valid variable name/],
    ["/env set CODEBUILD_X=1", "/env set", /^CODEBUILD_X is reserved/],
    ["/env set PROJECT_ID=x", "/env set", /^PROJECT_ID is reserved: the app sets it/],
    ["/env set A=1 A=2", "/env set", /^A is given more than once/],
    [`/env set BIG=${"x".repeat(MAX_VALUE_BYTES + 1)}`, "/env set", /^BIG is 16385 bytes long; a value may be at most 16384 bytes/],
    ["/env set a=1 B", "/env set", /^"a" is not a valid variable name.*; "B" is not KEY=VALUE/],
    ["/env set A=1 --environment staging", "/env set", /^"staging" is not an environment: use all, production or preview$/],
    ["/env set A=1 --environment Production", "/env set", /^"Production" is not an environment/],
    ["/env set A=1 --environment", "/env set", /^--environment needs a value: all, production or preview$/],
    ["/env set A=1 --environment=", "/env set", /^--environment needs a value/],
    ["/env set A=1 --environment preview --environment=production", "/env set", /^--environment is given more than once/],
    ["/env set A=1 -e preview", "/env set", /^"-e" is not an option of \/env set: the only option is --environment E/],
    ["/env set A=1 --env=preview", "/env set", /^"--env=preview" is not an option/],
    ["/env set A='b c", "/env set", /^the single quote at column 12 is never closed/],
    ['/env set A="é b', "/env set", /^the double quote at column 12 is never closed/],
    ["/env set A=b\\", "/env set", /^the line ends with a backslash/],
    ["/env unset", "/env unset", /^\/env unset needs at least one name$/],
    ["/env unset A=1", "/env unset", /^"A=1" has a value: \/env unset takes names alone$/],
    ["/env unset lower", "/env unset", /^"lower" is not a valid variable name/],
    ["/env unset A A", "/env unset", /^A is given more than once/],
    ["/env unset --environment preview", "/env unset", /^\/env unset needs at least one name$/],
    ["/env list extra", "/env list", /^\/env list takes no arguments but --environment; found "extra"$/],
    ["/env list --environment nowhere", "/env list", /^"nowhere" is not an environment/],
    ["/secret", "/secret", /^\/secret has one subcommand, set/],
    ["/secret unset A", "/secret", /^\/secret has one subcommand, set; \/env unset and \/env list cover secrets too$/],
    ["/secret set", "/secret set", /^\/secret set needs KEY=VALUE$/],
    ["/secret set A=1 B=2", "/secret set", /^\/secret set takes exactly one KEY=VALUE/],
    ["/secret set TOKEN=", "/secret set", /^TOKEN has an empty value: .*\/env unset TOKEN/],
    ["/secret set COMMIT_SHA=x", "/secret set", /^COMMIT_SHA is reserved/],
    ["/build xyz", "/build", /^"xyz" is not a commit sha: give 7 to 40 hexadecimal characters/],
    ["/build abc123", "/build", /^"abc123" is not a commit sha/],
    [`/build ${"a".repeat(41)}`, "/build", /is not a commit sha/],
    ["/build --environment preview", "/build", /^\/build takes at most one argument/],
    ["/build abcdef1 now", "/build", /^\/build takes at most one argument/],
    ["/cancel now", "/cancel", /^\/cancel takes no arguments$/],
    ["/help me", "/help", /^\/help takes no arguments$/],
  ])("%s", (text, verb, message) => {
    const error = errorOf(text);
    expect(error).toEqual({ ok: false, line: 1, verb, message: expect.stringMatching(message), usage: usageOf(verb) });
    expect(error.usage).not.toBe("");
  });

  test("a long word is quoted cut short", () => {
    expect(errorOf(`/env frobnicate${"x".repeat(100)}`).message).toMatch(/^"frobnicatex{30}…" is not a subcommand/);
  });

  test("a bare verb's usage gives each of its subcommands", () => {
    expect(usageOf("/env")).toBe(`${USAGE["env set"]} or ${USAGE["env unset"]} or ${USAGE["env list"]}`);
    expect(usageOf("/secret")).toBe(USAGE["secret set"]);
    expect(usageOf("/env set")).toBe(USAGE["env set"]);
  });

  test("an error's line number is its line in the comment", () => {
    const [error] = parseComment("> quoted\n\n/cancel now").commands;
    expect(error).toMatchObject({ ok: false, line: 3, verb: "/cancel" });
  });
});

describe("a secret's value never appears in an error", () => {
  test.each([
    "/secret set hunter2",
    "/secret set TOKEN=hunter2 hunter2",
    "/secret set TOKEN=correct horse battery hunter2",
    "/secret set hunter2=x",
    "/secret set TOKEN=x --hunter2",
    "/secret set TOKEN=x -e=hunter2",
    "/secret set TOKEN=x --environment hunter2",
    "/secret set TOKEN='hunter2",
    '/secret set TOKEN="hunter2',
    "/secret set TOKEN=hunter2\\",
    "/secret hunter2",
    "/secret unset hunter2",
  ])("%s", (text) => {
    const error = errorOf(text);
    expect(error.verb.startsWith("/secret")).toBe(true);
    expect(error.message).not.toMatch(/hunter2|horse|battery/);
  });
});

describe("at most 10 commands in one comment", () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? "/help" : "/env frobnicate")).join("\n");

  test("10 command lines are all parsed", () => {
    const parsed = parseComment(lines(10));
    expect(parsed.commands).toHaveLength(10);
    expect(parsed.tooMany).toBeUndefined();
  });

  test("11 command lines: the first 10 are parsed and all 11 counted, errors included", () => {
    const parsed = parseComment(lines(11));
    expect(parsed.commands.map((c) => c.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parsed.tooMany).toEqual({ found: 11, holdsSecret: false });
  });

  test("a /secret line past the 10th still marks the comment as holding a secret", () => {
    const parsed = parseComment(`${lines(10)}\n/secret set TOKEN=hunter2`);
    expect(parsed.commands.some((c) => !c.ok && c.verb.startsWith("/secret"))).toBe(false);
    expect(parsed.tooMany).toEqual({ found: 11, holdsSecret: true });
  });

  test("lines in code blocks and quotes do not count", () => {
    const body = `${lines(10)}\n\n\`\`\`\n${lines(5)}\n\`\`\`\n\n> /help`;
    expect(parseComment(body).tooMany).toBeUndefined();
  });
});

describe("help", () => {
  test("the table has a row per command, each usage in a code span", () => {
    const table = helpTable();
    expect(table.startsWith("| command | effect |\n|---|---|\n")).toBe(true);
    for (const usage of Object.values(USAGE)) expect(table).toContain(`| \`${usage}\` |`);
    expect(table.split("\n").filter((l) => l.startsWith("| `"))).toHaveLength(7);
  });

  test("usage lines hold no `|`, which would split a table cell", () => {
    for (const usage of Object.values(USAGE)) expect(usage).not.toContain("|");
  });

  test("the help table is not itself read as commands", () => {
    expect(parseComment(helpTable()).commands).toEqual([]);
  });
});

describe("pathological comments finish quickly", () => {
  const n = 60_000;
  test.each<[string, string]>([
    ["nested quotes", `${"> ".repeat(n / 2)}/help\n`.repeat(2)],
    ["nested quotes, then text", `${"> ".repeat(n / 2)}x\n/help`],
    ["nested list items", `${"- ".repeat(n / 2)}x\n${" ".repeat(n)}/help`],
    ["unclosed backtick runs of growing length", Array.from({ length: 340 }, (_, i) => "`".repeat(i + 1)).join(" ")],
    ["unclosed comment openers", "<!--".repeat(n / 4)],
    ["unclosed tags", "<a b c d e f ".repeat(n / 14)],
    ["unclosed attribute quotes", '<a b="'.repeat(n / 6)],
    ["long lines of spaces", `<a${" ".repeat(n)}\n/help`],
    ["many short lines", "/help x\n".repeat(n / 8)],
    ["thematic-break-like lines", `${"- ".repeat(n / 2)}x`],
  ])("%s", (_name, body) => {
    const started = performance.now();
    parseComment(body);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
