import { cutLogLine, cutLineNote, eventLines, plainLogLine } from "../../src/checks/terminal.js";

test.each([
  ["plain text", "plain text"],
  ["\x1b[31mred\x1b[0m and \x1b[1;32mbold green\x1b[39;49m", "red and bold green"],
  ["\x1b[38;5;208m256 colours\x1b[m", "256 colours"],
  ["\x1b]8;;https://example.com\x07link\x1b]8;;\x07", "link"],
  ["\x1b]0;title\x1b\\text", "text"],
  ["\x1b[2K\x1b[1Gprogress", "progress"],
  ["\x1b(Bcharset", "charset"],
  ["\x9b31mC1\x9b0m", "C1"],
  ["10%\r50%\r100%", "100%"],
  ["windows line\r", "windows line"],
  ["bell\x07 and\x00 nul", "bell and nul"],
  ["tab\tkept", "tab\tkept"],
  ["ünïcödé ✓ 🚀", "ünïcödé ✓ 🚀"],
  ["an OSC that never ends \x1b]0;title keeps its text", "an OSC that never ends 0;title keeps its text"],
  ["\x1b]\x1b]\x1b]x", "x"],
  ["unfinished CSI \x1b[1;2", "unfinished CSI 1;2"],
  ["stray escape at the end\x1b", "stray escape at the end"],
  ["redrawn\r\x1b[0m", "redrawn"],
  ["redrawn\r\x00", ""],
  ["split hunter2-\x1b[0mS3cret and hunter2-\x00S3cret", "split hunter2-S3cret and hunter2-S3cret"],
])("plainLogLine(%j) = %j", (line, expected) => {
  expect(plainLogLine(line)).toBe(expected);
});

test.each([
  ["one line\n", ["one line"]],
  ["crlf\r\nlines\r\n", ["crlf", "lines"]],
  ["no end", ["no end"]],
  ["a\n\nb\n", ["a", "", "b"]],
])("eventLines(%j) = %j", (event, expected) => {
  expect(eventLines(event)).toEqual(expected);
});

test("cutLogLine keeps the start, never splits a surrogate pair, and says how much was cut", () => {
  expect(cutLogLine("abcdef", 10)).toBe("abcdef");
  expect(cutLogLine("abcdef", 4)).toBe(`abcd${cutLineNote(2)}`);
  expect(cutLogLine("abc🚀def", 4)).toBe(`abc${cutLineNote(5)}`);
});
