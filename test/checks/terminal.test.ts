import { plainLogLine } from "../../src/checks/terminal.js";

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
])("plainLogLine(%j) = %j", (line, expected) => {
  expect(plainLogLine(line)).toBe(expected);
});
