import { readPageScript, type PageScript } from "../../src/http/page-scripts.js";

test("a script the build has not made is a start-up error that names the file and the command that makes it", () => {
  expect(() => readPageScript("not-built.js" as PageScript)).toThrow(/dist\/browser\/not-built\.js could not be read .*run npm run build/);
});
