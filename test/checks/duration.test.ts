import { formatDuration } from "../../src/checks/duration.js";

test.each([
  [0, "0s"],
  [12, "12s"],
  [12.4, "12s"],
  [59.6, "1m 0s"],
  [60, "1m 0s"],
  [161, "2m 41s"],
  [3599, "59m 59s"],
  [3600, "1h 0m"],
  [3661, "1h 1m"],
  [8 * 3600 + 59, "8h 0m"],
  [-5, "0s"],
  [Number.NaN, "0s"],
])("formatDuration(%p) = %p", (seconds, expected) => {
  expect(formatDuration(seconds)).toBe(expected);
});
