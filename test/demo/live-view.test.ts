import { fitToWidth, LiveView } from "../../src/demo/live-view.js";

function output(isTTY: boolean) {
  const written: string[] = [];
  return { written, out: { write: (text: string) => written.push(text), isTTY, rows: 10, columns: 20 } };
}

describe("the demo's live view", () => {
  test("in a pipe, the block's first line when it changes, then the rest of the block once, never escapes", () => {
    const { written, out } = output(false);
    const view = new LiveView(out);
    view.live(["○ Queued", "detail"], "queued");
    view.live(["○ Queued", "detail 2"], "queued");
    view.live(["● Building", "x"], "building");
    view.live(["✓ Done", "table", "log"], "done");
    view.settle();
    view.say("next");
    expect(written.join("")).toBe("○ Queued\n● Building\n✓ Done\ntable\nlog\nnext\n");
  });

  test("in a terminal, the block is redrawn in place, cut to the screen, and said lines go above it", () => {
    const { written, out } = output(true);
    const view = new LiveView(out);
    view.live(["first", "x".repeat(50)], "a");
    view.live(
      Array.from({ length: 30 }, (_, i) => `line ${i}`),
      "b",
    );
    const redraw = written.join("").split("\u001b[2A\r\u001b[J")[1]!;
    // 10 rows, 2 kept free: 8 lines of the block, each within 19 columns.
    expect(redraw.split("\n").filter(Boolean)).toHaveLength(8);
    expect(written.join("")).toContain(`${"x".repeat(19)}\n`);
    view.say("said");
    expect(written.slice(-10).join("").startsWith("\u001b[8A\r\u001b[Jsaid\nline 0\n")).toBe(true);
  });

  test("a line is cut to its visible width, colours kept", () => {
    expect(fitToWidth("\u001b[32m✓ succeeded\u001b[39m", 3)).toBe("\u001b[32m✓ s\u001b[39m");
    expect(fitToWidth("short", 10)).toBe("short");
    // Past the width, text goes and colours stay, so none is left on; a character outside the BMP counts once.
    expect(fitToWidth("ab\u001b[31mcd\u001b[39m", 2)).toBe("ab\u001b[31m\u001b[39m");
    expect(fitToWidth("🚀🚀🚀", 2)).toBe("🚀🚀");
  });
});
