import { z } from "zod";
import { BuildSeal } from "../../src/secrets/build-seal.js";
import { sodium } from "../../src/secrets/sodium.js";

const values = z.object({ values: z.array(z.string()) });

describe("BuildSeal: what is kept with a build, readable by the app alone", () => {
  const keyPair = sodium.crypto_box_keypair();
  const seal = new BuildSeal(keyPair);

  test("opens for the build it was sealed for, and shows nothing of the values", () => {
    const sealed = seal.seal("build-1", { values: ["own-value-1234"] });
    expect(sealed).not.toContain("own-value-1234");
    expect(sealed).not.toContain(Buffer.from("own-value-1234").toString("base64"));
    expect(seal.open("build-1", sealed, values)).toEqual({ values: ["own-value-1234"] });
    expect(seal.seal("build-1", { values: ["own-value-1234"] })).not.toBe(sealed);
  });

  test.each<[string, (sealed: string) => [BuildSeal, string, string]]>([
    ["another build's id", (sealed) => [seal, "build-2", sealed]],
    ["another app key", (sealed) => [new BuildSeal(sodium.crypto_box_keypair()), "build-1", sealed]],
    ["a changed byte", (sealed) => [seal, "build-1", `${sealed.slice(0, -4)}${sealed.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`]],
    ["another form", (sealed) => [seal, "build-1", sealed.replace("v1.", "v2.")]],
    ["not Base64", () => [seal, "build-1", "v1.###"]],
  ])("does not open with %s", (_, change) => {
    const [opener, id, sealed] = change(seal.seal("build-1", { values: ["x"] }));
    expect(opener.open(id, sealed, values)).toBeUndefined();
  });

  test("what opens but is not of the expected shape is refused", () => {
    expect(seal.open("build-1", seal.seal("build-1", { values: "not a list" }), values)).toBeUndefined();
  });
});
