import { blockquote, codeSpan, escapeMarkdown, markdownLink } from "../../src/checks/markdown.js";

const ZWSP = "\u200B";

test.each([
  ["plain words 123", "plain words 123"],
  ["a | b", "a \\| b"],
  ["run `rm -rf`", "run \\`rm \\-rf\\`"],
  ["ping @someone", `ping @${ZWSP}someone`],
  ["@org/team", `@${ZWSP}org\\/team`],
  ["<script>alert(1)</script>", "\\<script\\>alert\\(1\\)\\<\\/script\\>"],
  ["[link](x)", "\\[link\\]\\(x\\)"],
  ["![img](x)", "\\!\\[img\\]\\(x\\)"],
  ["*bold* _em_ ~~del~~", "\\*bold\\* \\_em\\_ \\~\\~del\\~\\~"],
  ["&amp; &#64;", "\\&amp\\; \\&\\#64\\;"],
  ["# heading", "\\# heading"],
  ["back\\slash", "back\\\\slash"],
  ["two\nlines\r\nthree", "two lines three"],
  ["ünïcödé ✓", "ünïcödé ✓"],
])("escapeMarkdown(%j) = %j", (text, expected) => {
  expect(escapeMarkdown(text)).toBe(expected);
});

test("escaped text has no unescaped markup character left", () => {
  const nasty = "| ` * _ [ ] ( ) < > # ! ~ & \\ @x";
  // After removing escape pairs, no markup character remains.
  const rest = escapeMarkdown(nasty).replace(/\\[!-/:-@[-`{-~]/g, "");
  expect(rest).not.toMatch(/[|`*_[\]()<>#!~&\\]/);
  expect(rest).not.toMatch(/@[a-z]/);
});

test.each([
  ["NAME", "`NAME`"],
  ["a`b", "``a`b``"],
  ["a``b`c", "```a``b`c```"],
  ["`starts", "`` `starts ``"],
  ["ends`", "`` ends` ``"],
  [" spaced ", "`  spaced  `"],
  ["   ", "`   `"],
  ["", "` `"],
  ["@someone <b>", "`@someone <b>`"],
  ["multi\nline", "`multi line`"],
])("codeSpan(%j) = %j", (value, expected) => {
  expect(codeSpan(value)).toBe(expected);
});

test("blockquote quotes and escapes every line", () => {
  expect(blockquote("first | one\n\n@dev <b>")).toBe(`> first \\| one\n>\n> @${ZWSP}dev \\<b\\>`);
});

test.each([
  ["https://ci.example.com/builds/abc", "[Full log](<https://ci.example.com/builds/abc>)"],
  ["https://x/a b>c<d\\e", "[Full log](<https://x/a%20b%3Ec%3Cd%5Ce>)"],
])("markdownLink to %j", (url, expected) => {
  expect(markdownLink("Full log", url)).toBe(expected);
});
