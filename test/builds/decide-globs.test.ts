import { filesPassingPathFilters, matchesFilter } from "../../src/builds/globs.js";

describe("matchesFilter: GitHub Actions filter patterns", () => {
  test.each<[string, string[], boolean]>([
    ["main", ["main"], true],
    ["main", [], false],
    ["mainline", ["main"], false],
    ["feature", ["*"], true],
    ["feature/x", ["*"], false],
    ["feature/x", ["**"], true],
    ["release/1.0", ["release/*"], true],
    ["release/1.0/hotfix", ["release/*"], false],
    ["release/1.0/hotfix", ["release/**"], true],
    ["feature/a/b", ["feature**"], true],
    ["featurex", ["feature**"], true],
    ["team/x/v2-rc", ["**-rc"], true],
    ["team/x/v2-rcx", ["**-rc"], false],
    ["a/x/y/b", ["a/**b"], true],
    ["v1.2.3", ["v[0-9]*"], true],
    ["vx", ["v[0-9]*"], false],
    [".github/workflows/ci.yml", ["**/*.yml"], true],
    [".env", ["*"], true],
    ["docs/.vitepress/config.ts", ["docs/**"], true],
    ["wip/x", ["**", "!wip/**"], false],
    ["main", ["**", "!wip/**"], true],
    ["wip/keep", ["**", "!wip/**", "wip/keep"], true],
    ["wip/drop", ["**", "!wip/**", "wip/keep"], false],
    ["wip/x", ["!wip/**", "**"], true],
    ["main", ["!wip/**"], false],
    // GitHub Actions' filter syntax: ? and + act on the character before them.
    ["colour", ["colou?r"], true],
    ["color", ["colou?r"], true],
    ["v12", ["v[0-9]+"], true],
    ["v", ["v[0-9]+"], false],
    ["v1a", ["v[0-9]+"], false],
    ["ci.yml", ["**/*.yml"], true],
    ["docs", ["docs/**"], true],
    ["docsx", ["docs/**"], false],
    ["a/b", ["a/**/b"], true],
    ["a/x/y/b", ["a/**/b"], true],
    ["ab", ["a/**/b"], false],
    ["release-x", ["release-[!0-9]*"], true],
    ["release-1", ["release-[!0-9]*"], false],
    ["a*b", ["a\\*b"], true],
    ["axb", ["a\\*b"], false],
    ["[unclosed", ["[unclosed"], true],
  ])("%s against %j → %s", (value, patterns, expected) => {
    expect(matchesFilter(value, patterns)).toBe(expected);
  });
});

describe("filesPassingPathFilters", () => {
  test.each<[string[], string[], string[], string[]]>([
    [["a", "b"], [], [], ["a", "b"]],
    [["src/a.ts", "README.md"], ["src/**"], [], ["src/a.ts"]],
    [["src/a.ts", "README.md"], [], ["**/*.md"], ["src/a.ts"]],
    [["src/a.ts", "src/a.test.ts"], ["src/**", "!**/*.test.ts"], [], ["src/a.ts"]],
    [["src/a.ts", "src/b.md"], ["src/**"], ["**/*.md"], ["src/a.ts"]],
    [["docs/a.md"], ["src/**"], [], []],
  ])("%j with paths %j and paths_ignore %j", (files, paths, pathsIgnore, expected) => {
    expect(filesPassingPathFilters(files, paths, pathsIgnore)).toEqual(expected);
  });
});
