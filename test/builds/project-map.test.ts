import { mapsEveryRepository, parseProjectMap, repositoryProjects, type ProjectRule } from "../../src/builds/project-map.js";

function rules(text: string): ProjectRule[] {
  const parsed = parseProjectMap(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.rules;
}

describe("parseProjectMap: CODEBUILD_PROJECTS", () => {
  test.each<[string, ProjectRule[]]>([
    ["", []],
    [" , ", []],
    ["acme/web=web-build", [{ repositories: "acme/web", projects: ["web-build"] }]],
    [
      "acme/web=web-build|web-large,acme/api-*=api-build",
      [
        { repositories: "acme/web", projects: ["web-build", "web-large"] },
        { repositories: "acme/api-*", projects: ["api-build"] },
      ],
    ],
    [
      " acme/web = web-build | web_large , */* = shared ",
      [
        { repositories: "acme/web", projects: ["web-build", "web_large"] },
        { repositories: "*/*", projects: ["shared"] },
      ],
    ],
    ["**=everything", [{ repositories: "**", projects: ["everything"] }]],
  ])("%j", (text, expected) => {
    expect(parseProjectMap(text)).toEqual({ ok: true, rules: expected });
  });

  test.each<[string, RegExp]>([
    ["acme/web", /^rule "acme\/web" has 0 "=": expected comma-separated rules REPO_GLOB=PROJECT\[\|PROJECT…\]/],
    ["acme/web=a=b", /^rule "acme\/web=a=b" has 2 "="/],
    ["=web-build", /^rule "=web-build": the repositories are missing before "="/],
    ["acme/web=", /^rule "acme\/web=": a project name is missing/],
    ["acme/web=web-build|", /a project name is missing/],
    ["acme/web=x", /"x" is not a CodeBuild project name/],
    ["acme/web=-web", /"-web" is not a CodeBuild project name/],
    ["acme/web=web.build", /"web.build" is not a CodeBuild project name/],
    ["acme/web=web-build|web-build", /project web-build is named twice/],
    ["web=web-build", /"web" cannot match a repository: write owner\/name globs/],
    ["*=web-build", /"\*" cannot match a repository/],
    ["!acme/web=web-build", /a rule cannot exclude repositories/],
  ])("%j is refused: %s", (text, problem) => {
    const parsed = parseProjectMap(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});

describe("repositoryProjects: the first matching rule wins, else CODEBUILD_PROJECT", () => {
  const map = rules("acme/web=web-build|web-large,acme/api-*=api-build,acme/*=acme-shared,*/.github=meta");

  test.each<[string, string | undefined, string[], string | undefined]>([
    ["acme/web", "fallback", ["web-build", "web-large"], "acme/web"],
    ["ACME/Web", "fallback", ["web-build", "web-large"], "acme/web"],
    ["acme/api-orders", "fallback", ["api-build"], "acme/api-*"],
    ["acme/api-", "fallback", ["api-build"], "acme/api-*"],
    ["acme/web-admin", "fallback", ["acme-shared"], "acme/*"],
    ["acme/.github", "fallback", ["acme-shared"], "acme/*"],
    ["octo/.github", "fallback", ["meta"], "*/.github"],
    ["acme-corp/web", "fallback", ["fallback"], undefined],
    ["octo/web", "fallback", ["fallback"], undefined],
    ["octo/web", undefined, [], undefined],
  ])("%s (CODEBUILD_PROJECT %s) → %j", (fullName, defaultProject, projects, rule) => {
    const found = repositoryProjects(map, defaultProject, fullName);
    expect(found.projects).toEqual(projects);
    expect(found.rule?.repositories).toBe(rule);
  });

  test("GitHub Actions' glob syntax: `?` makes the character before it optional, `[…]` is one of a class", () => {
    expect(repositoryProjects(rules("acme/webs?=x-y"), undefined, "acme/web").projects).toEqual(["x-y"]);
    expect(repositoryProjects(rules("acme/webs?=x-y"), undefined, "acme/webs").projects).toEqual(["x-y"]);
    expect(repositoryProjects(rules("acme/api-[a-c]*=x-y"), undefined, "Acme/API-billing").projects).toEqual(["x-y"]);
    expect(repositoryProjects(rules("acme/api-[a-c]*=x-y"), undefined, "acme/api-orders").projects).toEqual([]);
  });

  test("`*` stays within the owner or the name, `**` crosses", () => {
    expect(repositoryProjects(rules("acme*/web=x-y"), undefined, "acme-corp/web").projects).toEqual(["x-y"]);
    expect(repositoryProjects(rules("acme*/web=x-y"), undefined, "acme/web/extra").projects).toEqual([]);
    expect(repositoryProjects(rules("**=x-y"), undefined, "acme/web").projects).toEqual(["x-y"]);
    expect(repositoryProjects(rules("*/web=x-y"), undefined, "acme/web").projects).toEqual(["x-y"]);
  });
});

describe("mapsEveryRepository: whether CODEBUILD_PROJECT is needed at all", () => {
  test.each<[string, boolean]>([
    ["", false],
    ["acme/*=a-b", false],
    ["acme/web=a-b,*/*=shared", true],
    ["**=shared", true],
    ["*/**=shared", true],
    ["[a-z]*/*=shared", false],
    ["*/[a-z]*=shared", false],
  ])("%j: %s", (text, expected) => {
    expect(mapsEveryRepository(rules(text))).toBe(expected);
  });
});
