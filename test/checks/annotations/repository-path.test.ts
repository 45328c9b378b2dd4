import { repositoryPath, sourceRootsFromLog } from "../../../src/checks/annotations/repository-path.js";
import { plainLines, ROOT } from "./logs.js";

describe("repositoryPath with the checkout known", () => {
  test.each<[string, string | undefined]>([
    [`${ROOT}/src/app/page.tsx`, "src/app/page.tsx"],
    [`${ROOT}/README.md`, "README.md"],
    [`${ROOT}/src/../lib/a.ts`, "lib/a.ts"],
    ["src/app/page.tsx", "src/app/page.tsx"],
    ["./src/app/page.tsx", "src/app/page.tsx"],
    ["src//app/./page.tsx", "src/app/page.tsx"],
    ["  src/a.ts  ", "src/a.ts"],
    [".next/types/app/page.ts", ".next/types/app/page.ts"],
    // Outside the repository.
    [ROOT, undefined],
    [`${ROOT}/../other/a.ts`, undefined],
    [`${ROOT}-fork/src/a.ts`, undefined],
    ["/usr/lib/node_modules/npm/index.js", undefined],
    ["/codebuild/output/src999/src/github.com/acme/other/a.ts", undefined],
    ["../shared/format.ts", undefined],
    ["src/../../a.ts", undefined],
    ["..", undefined],
    [".", undefined],
    ["", undefined],
    ["C:\\work\\src\\a.ts", undefined],
    ["C:/work/src/a.ts", undefined],
    // Installed dependencies, at the root or in a workspace.
    ["node_modules/legacy-format/index.ts", undefined],
    [`${ROOT}/node_modules/next/dist/a.js`, undefined],
    ["packages/ui/node_modules/x/index.ts", undefined],
  ])("%j is %j", (printed, expected) => {
    expect(repositoryPath(printed, [ROOT])).toBe(expected);
  });

  test.each([`${ROOT}/`, `${ROOT}//`, `${ROOT}/./`])("a root written as %j is the same root", (root) => {
    expect(repositoryPath(`${ROOT}/src/a.ts`, [root])).toBe("src/a.ts");
  });

  test("any of several roots", () => {
    expect(repositoryPath("/workspace/web/src/a.ts", [ROOT, "/workspace/web"])).toBe("src/a.ts");
  });
});

describe("repositoryPath with no checkout known: CodeBuild's shape for a GitHub source", () => {
  test.each<[string, string | undefined]>([
    [`${ROOT}/src/app/page.tsx`, "src/app/page.tsx"],
    ["/codebuild/output/src42/src/github.example.com/team/api/cmd/main.go", "cmd/main.go"],
    ["src/a.ts", "src/a.ts"],
    // Not under a checkout of that shape.
    ["/codebuild/output/src42/src/a.ts", undefined],
    ["/codebuild/output/src42/src/s3/00/a.ts", undefined],
    ["/codebuild/output/srcX/src/github.com/acme/web/a.ts", undefined],
    ["/tmp/src42/src/github.com/acme/web/a.ts", undefined],
    ["/usr/lib/a.js", undefined],
  ])("%j is %j", (printed, expected) => {
    expect(repositoryPath(printed, [])).toBe(expected);
  });
});

describe("sourceRootsFromLog", () => {
  test("the directory CodeBuild's agent announces", () => {
    expect(sourceRootsFromLog(plainLines("codebuild-nextjs.log"))).toEqual([ROOT]);
  });

  test.each<[string, string[]]>([
    [
      "[Container] 2019/11/28 05:15:08 CODEBUILD_SRC_DIR=/codebuild/output/src088335237/src/github.com/acme/api",
      ["/codebuild/output/src088335237/src/github.com/acme/api"],
    ],
    ["[Container] 2025/12/14 22:48:32.645771 CODEBUILD_SRC_DIR_helper=/codebuild/output/src87/src/s3/01", []],
    ["CODEBUILD_SRC_DIR=/somewhere/else", []],
    ["echo [Container] 2025/12/14 22:48:32 CODEBUILD_SRC_DIR=/x", []],
  ])("%j", (line, expected) => {
    expect(sourceRootsFromLog([line])).toEqual(expected);
  });
});
