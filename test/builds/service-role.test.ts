import { serviceRoleFor } from "../../src/builds/service-role.js";

const roles = {
  previewRole: "arn:aws:iam::123456789012:role/{project}-preview",
  untrustedRole: "arn:aws:iam::123456789012:role/codebuild/{project}-untrusted",
};

describe("serviceRoleFor: the role a build runs with", () => {
  test.each<[string, { trusted: boolean; environment: "production" | "preview" }, typeof roles | object, string | undefined]>([
    ["production: the project's own role", { trusted: true, environment: "production" }, roles, undefined],
    ["trusted preview: the preview role", { trusted: true, environment: "preview" }, roles, "arn:aws:iam::123456789012:role/web-build-preview"],
    [
      "untrusted preview: the untrusted role",
      { trusted: false, environment: "preview" },
      roles,
      "arn:aws:iam::123456789012:role/codebuild/web-build-untrusted",
    ],
    [
      "untrusted production (a bot's tag): the untrusted role",
      { trusted: false, environment: "production" },
      roles,
      "arn:aws:iam::123456789012:role/codebuild/web-build-untrusted",
    ],
    ["trusted preview without a preview role: the project's own", { trusted: true, environment: "preview" }, {}, undefined],
    [
      "a role without {project} is used as written",
      { trusted: true, environment: "preview" },
      { previewRole: "arn:aws:iam::123456789012:role/previews" },
      "arn:aws:iam::123456789012:role/previews",
    ],
  ])("%s", (_name, plan, configured, expected) => {
    expect(serviceRoleFor(plan, "web-build", configured)).toBe(expected);
  });
});
