import { parseProjectMap, type ProjectRule } from "../../src/builds/project-map.js";
import { sharedTrustDomains } from "../../src/builds/trust-domains.js";

function rules(text: string): ProjectRule[] {
  const parsed = parseProjectMap(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.rules;
}

describe("sharedTrustDomains: one start-up line per domain more than one repository may share", () => {
  test.each<[string, string, string | undefined, string[]]>([
    [
      "no map: everyone shares the default project",
      "",
      "shared",
      [
        "all repositories share one trust domain, that of project shared: each can read the others' secrets (CODEBUILD_PROJECTS maps repositories to projects of their own)",
      ],
    ],
    ["no map and no project: nothing to say", "", undefined, []],
    [
      "one repository per project, every repository mapped: no line",
      "acme/web=web-build,acme/api=api-build,*/*=rest",
      undefined,
      ["repositories */* share the trust domain of project rest: each can read the others' secrets"],
    ],
    [
      "exact names with their own projects share nothing; the rest share the default",
      "acme/web=web-build,acme/api=api-build",
      "shared",
      ["every repository CODEBUILD_PROJECTS does not map shares the trust domain of project shared: each can read the others' secrets"],
    ],
    [
      "a glob is a domain of many",
      "acme/api-*=api-build,*/*=other",
      undefined,
      [
        "repositories acme/api-* share the trust domain of project api-build: each can read the others' secrets",
        "repositories */* share the trust domain of project other: each can read the others' secrets",
      ],
    ],
    [
      "two rules with one project are one domain",
      "acme/web=web-build,acme/docs=web-build,*/*=other",
      undefined,
      [
        "repositories acme/web, acme/docs share the trust domain of project web-build: each can read the others' secrets",
        "repositories */* share the trust domain of project other: each can read the others' secrets",
      ],
    ],
    [
      "a rule that may pick another rule's project joins its domain",
      "acme/web=web-build,acme/tools=tools-build|web-build,*/*=other",
      undefined,
      [
        "repositories acme/web, acme/tools share the trust domain of projects web-build, tools-build: each can read the others' secrets",
        "repositories */* share the trust domain of project other: each can read the others' secrets",
      ],
    ],
    [
      "a rule on the default project shares with the unmapped repositories",
      "acme/web=shared|web-large",
      "shared",
      [
        "repositories acme/web and every repository CODEBUILD_PROJECTS does not map share the trust domain of project shared: each can read the others' secrets",
      ],
    ],
    [
      "a second project of a rule alone is no second domain",
      "acme/web=web-build|web-large,*/*=other",
      undefined,
      ["repositories */* share the trust domain of project other: each can read the others' secrets"],
    ],
  ])("%s", (_name, map, defaultProject, lines) => {
    expect(sharedTrustDomains(rules(map), defaultProject)).toEqual(lines);
  });
});
