import { createMasker, cutMasked, MASK, maskForms, MIN_MASKED_LENGTH } from "../../src/variables/masking.js";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

describe("maskForms", () => {
  test("a plain value: itself, its Base64 (whole and at each alignment) and its URL encodings", () => {
    expect(maskForms("secret value")).toEqual(["secret value", "c2VjcmV0IHZhbHVl", "NlY3JldCB2YWx1Z", "zZWNyZXQgdmFsdW", "secret%20value", "secret+value"]);
  });

  test.each<[string, string, string[]]>([
    ["multi-line, LF: each non-blank line, trimmed", "first-line\n  second-line  \n\n   \nend!", ["first-line", "second-line", "end!"]],
    ["multi-line, CRLF", "-----BEGIN KEY-----\r\nMIIEabc\r\n-----END KEY-----\r\n", ["-----BEGIN KEY-----", "MIIEabc", "-----END KEY-----"]],
    ["Base64, standard, padded and not", "hunter2!x", [base64("hunter2!x"), base64("hunter2!x").replace(/=+$/, "")]],
    ["Base64 with + and /, URL-safe", "???>>>", ["Pz8/Pj4+", "Pz8_Pj4-", base64url("???>>>")]],
    ["unicode: UTF-8 Base64, URL and JSON escapes", "pässwörd", [base64("pässwörd"), "p%C3%A4ssw%C3%B6rd", "p\\u00e4ssw\\u00f6rd"]],
    ["emoji: surrogate pairs escaped as JSON does", "key🔑value", ["key%F0%9F%94%91value", "key\\ud83d\\udd11value"]],
    ["JSON specials: quotes, backslashes, newline, tab", 'say "hi"\\now\n\tok', ['say \\"hi\\"\\\\now\\n\\tok']],
    ["URL specials, with %20 and + for a space", "a b&c=d/e?f#g", ["a%20b%26c%3Dd%2Fe%3Ff%23g", "a+b%26c%3Dd%2Fe%3Ff%23g"]],
  ])("%s", (_, value, expected) => {
    const forms = maskForms(value);
    if (!/[\r\n]/.test(value)) expect(forms).toContain(value);
    expect(forms).toEqual(expect.arrayContaining(expected));
  });

  test("lines too short to mask are left out; the whole value is masked in its encodings and by its lines", () => {
    const value = "{\n  abc\n  x: 1\n}";
    expect(maskForms(value)).toEqual(expect.arrayContaining(["x: 1", JSON.stringify(value).slice(1, -1), base64(value)]));
    expect(maskForms(value)).not.toContain("{");
    expect(maskForms(value)).not.toContain("abc");
    expect(maskForms(value).some((form) => /[\r\n]/.test(form))).toBe(false);
  });

  test("a value's trimmed form, and the LF and CRLF forms of a multi-line value, with their encodings", () => {
    const forms = maskForms("p4ssw0rd ");
    expect(forms).toEqual(expect.arrayContaining(["p4ssw0rd ", "p4ssw0rd", base64("p4ssw0rd"), "p4ssw0rd%20", "p4ssw0rd+"]));
    const multi = maskForms("line-one\nline-two");
    expect(multi).toEqual(
      expect.arrayContaining([base64("line-one\nline-two"), base64("line-one\r\nline-two"), "line-one\\r\\nline-two", "line-one%0D%0Aline-two"]),
    );
  });

  test.each([
    ["empty", ""],
    ["shorter than the minimum", "abc"],
    ["short between white space", "   ab   "],
    ["white space only", "        "],
    ["the mask itself", MASK],
    ["asterisks only", "********"],
    ["asterisks between white space", "  ****  "],
    ["a run of backticks (a code fence)", "``````"],
    ["tildes and backticks", "~~~```"],
  ])("nothing for a value that is %s", (_, value) => {
    expect(maskForms(value)).toEqual([]);
  });

  test(`the minimum is ${MIN_MASKED_LENGTH} characters, counted as code points`, () => {
    expect(maskForms("abcd")).toContain("abcd");
    expect(maskForms("ab🔑")).toEqual([]);
  });
});

describe("Base64 of a secret inside a longer Base64 text", () => {
  const secret = "s3cr3t-Value_42";
  const cases = [0, 1, 2, 3, 4, 5].flatMap((prefix) => [0, 1, 2, 7].map((suffix) => [prefix, suffix] as const));

  test.each(cases)("%i bytes before, %i after: every character made of the secret's bits alone is hidden", (prefix, suffix) => {
    const masker = createMasker([secret]);
    for (const encode of [base64, base64url]) {
      const encoded = encode("#".repeat(prefix) + secret + "~".repeat(suffix));
      const masked = masker.mask(encoded);
      const start = masked.indexOf(MASK);
      const end = start + encoded.length - (masked.length - MASK.length);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start).toBeLessThanOrEqual(Math.ceil((4 * prefix) / 3));
      expect(end).toBeGreaterThanOrEqual(Math.floor((4 * (prefix + secret.length)) / 3));
      expect(masked.slice(0, start)).toBe(encoded.slice(0, start));
      expect(masked.slice(start + MASK.length)).toBe(encoded.slice(end));
    }
  });

  test("the whole Base64 of a value, padding included, becomes one ***", () => {
    const masker = createMasker(["hunter2!x"]);
    expect(masker.mask(`auth: ${base64("hunter2!x")}.`)).toBe("auth: ***.");
    expect(masker.mask(`auth: ${base64url("hunter2!x")}.`)).toBe("auth: ***.");
  });
});

describe("createMasker", () => {
  test.each([
    ["as written", (v: string) => `token=${v};`, "token=***;"],
    ["URL-encoded", (v: string) => `https://x.test/?t=${encodeURIComponent(v)}&u=1`, "https://x.test/?t=***&u=1"],
    ["JSON-encoded", (v: string) => JSON.stringify({ token: v }), '{"token":"***"}'],
    ["Base64", (v: string) => `Authorization: Basic ${base64(v)}`, "Authorization: Basic ***"],
  ])("hides a value %s", (_, write, expected) => {
    expect(createMasker(['p@ss "w/rd"\\ & more']).mask(write('p@ss "w/rd"\\ & more'))).toBe(expected);
  });

  test("every occurrence, each as its own *** when they only touch", () => {
    expect(createMasker(["hunter2!"]).mask("a hunter2! b hunter2!hunter2!")).toBe("a *** b ******");
  });

  test("a value that contains another is hidden whole, whichever came first", () => {
    for (const values of [
      ["abcd1234", "abcd1234efgh"],
      ["abcd1234efgh", "abcd1234"],
    ]) {
      expect(createMasker(values).mask("[abcd1234efgh] [abcd1234]")).toBe("[***] [***]");
    }
  });

  test("overlapping values are hidden together", () => {
    expect(createMasker(["abcd1234", "1234wxyz"]).mask("<abcd1234wxyz>")).toBe("<***>");
    expect(createMasker(["1234wxyz", "abcd1234", "xyz!long"]).mask("<abcd1234wxyz!long>")).toBe("<***>");
  });

  test("each line of a multi-line value, wherever it is printed", () => {
    const masker = createMasker(["-----BEGIN KEY-----\nMIIEsecretline\n-----END KEY-----\n"]);
    expect(masker.mask("key line: MIIEsecretline\nnext")).toBe("key line: ***\nnext");
  });

  test("text without values, or without any form of them, is returned unchanged", () => {
    expect(createMasker().mask("nothing to hide")).toBe("nothing to hide");
    expect(createMasker(["hunter2!"]).mask("hunter2 hunter! hunte")).toBe("hunter2 hunter! hunte");
  });

  test("add() hides a value from then on, also after the masker has been used", () => {
    const masker = createMasker(["first-secret"]);
    expect(masker.mask("first-secret late-secret")).toBe("*** late-secret");
    masker.add("late-secret");
    masker.add("late-secret");
    expect(masker.mask("first-secret late-secret")).toBe("*** ***");
  });

  test("add() of a value too short to mask changes nothing", () => {
    const masker = createMasker();
    masker.add("abc");
    expect(masker.mask("abc abcd")).toBe("abc abcd");
  });

  test("200 values in 100 KB of log: every one hidden, nothing else touched", () => {
    const secrets = Array.from({ length: 200 }, (_, i) => `Sk_${i.toString(36).padStart(3, "0")}_${pseudoRandom(i)}`);
    const written: string[] = [];
    const expected: string[] = [];
    for (let i = 0; written.join("\n").length < 100_000; i++) {
      const secret = secrets[(i * 7) % secrets.length]!;
      const line = i % 3 === 0 ? `step ${i}: token=${secret} ok` : i % 3 === 1 ? `step ${i}: basic ${base64(secret)}` : `step ${i}: lorem ipsum dolor sit amet`;
      written.push(line);
      expected.push(line.replace(secret, MASK).replace(base64(secret), MASK));
    }
    expect(createMasker(secrets).mask(written.join("\n"))).toBe(expected.join("\n"));
  });
});

describe("the final text of each surface", () => {
  const masker = createMasker(["hunter2-S3cret", "p@ss.word!", "p4ssw0rd "]);

  test("markdown's escapes do not hide a value, and the mask swallows whole escapes", () => {
    expect(masker.mask("> login with p@\u200Bss\\.word\\! failed")).toBe("> login with *** failed");
    expect(masker.mask("x \\\\p@ss.word! y")).toBe("x \\\\*** y");
    expect(masker.mask("hunter2\\-S3cret")).toBe("***");
  });

  test("a spaced value is masked as written and trimmed", () => {
    expect(masker.mask("password is 'p4ssw0rd' or 'p4ssw0rd '")).toBe("password is '***' or '***'");
  });

  test("forms never reach across a line break; each line is masked on its own", () => {
    const lines = createMasker(["abcd\nefgh"]);
    expect(lines.mask("abcd\nefgh")).toBe("***\n***");
    expect(lines.mask("xabcdx")).toBe("x***x");
  });

  test("a code fence is never masked, whatever a build hides", () => {
    const fences = createMasker(["````", "~~~~~~", "*****"]);
    expect(fences.mask("````\nline\n````")).toBe("````\nline\n````");
  });

  test("a masked text cut short stays masked and says how much was cut", () => {
    const cut = cutMasked(masker.mask(`${"a".repeat(20)} hunter2-S3cret`), 22);
    expect(cut).toBe(`${"a".repeat(20)} *` + " … [line cut: 2 more characters]");
  });
});

/** A fixed string of letters and digits for each seed, unlike any word of the log around it. */
function pseudoRandom(seed: number): string {
  let x = Math.imul(seed + 1, 2654435761) >>> 0;
  let out = "";
  for (let i = 0; i < 24; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out += "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[x >>> 27];
  }
  return out;
}
