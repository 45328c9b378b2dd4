import { parseWorkflowCommands } from "../../../src/checks/annotations/workflow-commands.js";
import { plainLines, ROOT } from "./logs.js";

test("what @actions/core and echo printed", () => {
  expect(parseWorkflowCommands(plainLines("workflow-commands.log"))).toEqual([
    {
      file: "src/app/layout.tsx",
      line: 2,
      level: "failure",
      message: "Deploy key missing: set DEPLOY_KEY in /env",
      title: "Config: 50% done, 1:0",
      logLine: 0,
    },
    {
      file: "src/app/page.tsx",
      line: 4,
      column: 9,
      endLine: 4,
      endColumn: 14,
      level: "warning",
      message: "100% of 12 routes are dynamic\r\nConsider generateStaticParams",
      logLine: 1,
    },
    // `::notice::Cache restored` names no file: not an annotation.
    // A file without a line is returned with line 0, which annotationsFromLog drops.
    { file: "public/team.png", line: 0, level: "notice", message: "Consider a smaller image", logLine: 3 },
    { file: "/usr/lib/node_modules/npm/index.js", line: 10, level: "warning", message: "Outside the checkout", logLine: 4 },
    { file: `${ROOT}/src/lib/price.ts`, line: 12, column: 52, level: "failure", message: "Inside the checkout, absolute", logLine: 5 },
    { file: "app.js", line: 1, column: 5, endColumn: 7, level: "failure", message: "Missing semicolon", logLine: 6 },
    { file: "src/lib/cart.ts", line: 0, level: "warning", message: "Line zero is not a line", logLine: 7 },
    // ::debug, ::set-output and ::add-mask are commands, not annotations.
  ]);
});

describe("escapes, decoded as GitHub's runner decodes them", () => {
  test.each([
    ["%25", "%"],
    ["%0A", "\n"],
    ["%0D", "\r"],
    ["%3A", ":"],
    ["%2C", ","],
    // Decoded once: an escaped escape stays an escape.
    ["%252C", "%2C"],
    ["%253A", "%3A"],
    // The runner's escapes are upper case.
    ["%2c", "%2c"],
    ["%41", "%41"],
  ])("%s in a property is %j", (escaped, decoded) => {
    const [annotation] = parseWorkflowCommands([`::error file=a.ts,line=1,title=x${escaped}y::m`]);
    expect(annotation?.title).toBe(`x${decoded}y`);
  });

  test.each([
    ["%25", "%"],
    ["%0A", "\n"],
    ["%0D", "\r"],
    // The message is everything after the second `::`; `:` and `,` need no escape there.
    ["%3A", "%3A"],
    ["%2C", "%2C"],
    ["::", "::"],
    ["%2525", "%25"],
  ])("%s in the message is %j", (escaped, decoded) => {
    const [annotation] = parseWorkflowCommands([`::error file=a.ts,line=1::x${escaped}y`]);
    expect(annotation?.message).toBe(`x${decoded}y`);
  });

  test("an escaped comma and colon in the file name", () => {
    const [annotation] = parseWorkflowCommands(["::warning file=src/a%2Cb%3Ac.ts,line=3::m"]);
    expect(annotation?.file).toBe("src/a,b:c.ts");
  });
});

test.each<[string, string, object[]]>([
  [
    "every property",
    "::error file=a.ts,line=2,col=3,endLine=4,endColumn=5,title=T::m",
    [{ file: "a.ts", line: 2, column: 3, endLine: 4, endColumn: 5, title: "T", level: "failure", message: "m", logLine: 0 }],
  ],
  ["properties in any order", "::notice title=T,line=2,file=a.ts::m", [{ file: "a.ts", line: 2, title: "T", level: "notice", message: "m", logLine: 0 }]],
  ["white space before the command", "   ::warning file=a.ts,line=2::m", [{ file: "a.ts", line: 2, level: "warning", message: "m", logLine: 0 }]],
  ["an empty property is no property", "::error file=,line=2::m", []],
  ["a value holding `=`", "::error file=a.ts,line=2,title=a=b::m", [{ file: "a.ts", line: 2, title: "a=b", level: "failure", message: "m", logLine: 0 }]],
  ["a line that is not a number", "::error file=a.ts,line=two::m", [{ file: "a.ts", line: 0, level: "failure", message: "m", logLine: 0 }]],
  ["a negative column", "::error file=a.ts,line=2,col=-1::m", [{ file: "a.ts", line: 2, level: "failure", message: "m", logLine: 0 }]],
  ["a command name in another case", "::Error file=a.ts,line=2::m", []],
  ["text before the command", "echo ::error file=a.ts,line=2::m", []],
  ["no second ::", "::error file=a.ts,line=2", []],
  ["no properties", "::error::m", []],
])("%s", (_name, line, expected) => {
  expect(parseWorkflowCommands([line])).toEqual(expected);
});
