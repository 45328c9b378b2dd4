import { AddMaskValues } from "../../src/variables/add-masks.js";
import { ADD_MASK_MAX_BYTES, ADD_MASK_MAX_VALUES } from "../../src/domain/variable-names.js";

const readAll = (masks: AddMaskValues, lines: string[]) => lines.flatMap((line) => masks.read(line).added);

describe("AddMaskValues: the values a build hides itself", () => {
  test.each<[string, string[], string[]]>([
    ["at the start of a line", ["::add-mask::s3cr3t-value"], ["s3cr3t-value"]],
    ["after leading white space, as GitHub's runner reads it", ["   ::add-mask::indented"], ["indented"]],
    ["trailing white space is not part of the value", ["::add-mask::value-1  "], ["value-1"]],
    ["GitHub's escapes are read, and the data as written kept too", ["::add-mask::100%25 sure%0Anext"], ["100% sure\nnext", "100%25 sure%0Anext"]],
    ["not after a prefix (a timestamp, an echoed command)", ["[12:00:00] ::add-mask::value", "+ echo ::add-mask::value"], []],
    ["not without a value", ["::add-mask::", "::add-mask::   "], []],
    ["not another command", ["::warning::careful", "::add-mask value"], []],
    ["a value hidden again is not counted twice", ["::add-mask::same-value", "::add-mask::same-value"], ["same-value"]],
  ])("%s", (_, lines, expected) => {
    expect(readAll(new AddMaskValues(), lines)).toEqual(expected);
  });

  test(`at most ${ADD_MASK_MAX_VALUES} values: the next is refused, hidden on its own line, and masking is full once`, () => {
    const masks = new AddMaskValues();
    for (let i = 0; i < ADD_MASK_MAX_VALUES; i++) expect(masks.read(`::add-mask::value-${i}`).added).toEqual([`value-${i}`]);
    const refused = masks.read("  ::add-mask::one-too-many");
    expect(refused).toEqual({ line: "  ::add-mask::***", added: [], becameFull: true });
    expect(masks.read("::add-mask::another-one")).toEqual({ line: "::add-mask::***", added: [], becameFull: false });
    expect(masks.full).toBe(true);
    expect(masks.state.values).toHaveLength(ADD_MASK_MAX_VALUES);
  });

  test(`at most ${ADD_MASK_MAX_BYTES} bytes of values`, () => {
    const masks = new AddMaskValues();
    const big = "é".repeat(ADD_MASK_MAX_BYTES / 4 - 1);
    expect(masks.read(`::add-mask::${big}a`).added).toHaveLength(1);
    expect(masks.read(`::add-mask::${big}b`).added).toHaveLength(1);
    expect(masks.read(`::add-mask::x${big}`)).toMatchObject({ added: [], becameFull: true });
  });

  test("the state kept with a build restores the values and whether masking is full", () => {
    const masks = new AddMaskValues();
    readAll(masks, ["::add-mask::kept-value"]);
    const restored = new AddMaskValues(masks.state);
    expect(restored.state).toEqual({ values: ["kept-value"], full: false });
    expect(restored.read("::add-mask::kept-value").added).toEqual([]);
  });
});
