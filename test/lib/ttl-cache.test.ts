import { TtlCache } from "../../src/lib/ttl-cache.js";

describe("TtlCache", () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  test.each([
    [0, "v"],
    [59_999, "v"],
    [60_000, undefined],
  ])("an answer read %i ms after it was kept → %j", (after, expected) => {
    const cache = new TtlCache<string>(60_000, clock);
    cache.set("k", "v");
    now += after;
    expect(cache.get("k")).toBe(expected);
  });

  test("an earlier expiry given with the value wins", () => {
    const cache = new TtlCache<string>(60_000, clock);
    cache.set("k", "v", now + 10);
    now += 10;
    expect(cache.get("k")).toBeUndefined();
  });

  test("null is a value (a remembered 'not found')", () => {
    const cache = new TtlCache<string | null>(60_000, clock);
    cache.set("k", null);
    expect(cache.get("k")).toBeNull();
  });

  test("when full, expired answers go first, then the oldest", () => {
    const cache = new TtlCache<number>(100, clock, 3);
    cache.set("old", 1, now + 1);
    cache.set("a", 2);
    cache.set("b", 3);
    now += 1;
    cache.set("c", 4);
    expect([cache.get("old"), cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, 2, 3, 4]);
    cache.set("d", 5);
    expect([cache.get("a"), cache.get("b"), cache.get("c"), cache.get("d")]).toEqual([undefined, 3, 4, 5]);
  });
});
