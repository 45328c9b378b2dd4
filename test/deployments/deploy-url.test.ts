import { checkDeployUrl, DEPLOY_URL_MAX_LENGTH, deployUrlOf } from "../../src/deployments/deploy-url.js";
import { recordedSnapshot } from "../../src/builds/build-record.js";
import { createMasker } from "../../src/variables/masking.js";

describe("checkDeployUrl: a build's DEPLOY_URL is the build's code speaking", () => {
  test.each([
    ["https://pr-12.preview.example.com", "https://pr-12.preview.example.com/"],
    ["http://127.0.0.1:8080/app", "http://127.0.0.1:8080/app"],
    ["  https://example.com/a b\n", "https://example.com/a%20b"],
    ["https://example.com/<script>", "https://example.com/%3Cscript%3E"],
    ['https://d111111abcdef8.cloudfront.net/?q="x"', "https://d111111abcdef8.cloudfront.net/?q=%22x%22"],
    ["HTTPS://EXAMPLE.COM/Path", "https://example.com/Path"],
  ])("%j is published as %j", (value, url) => {
    expect(checkDeployUrl(value)).toEqual({ ok: true, url });
  });

  test.each([
    ["", "is empty"],
    ["   ", "is empty"],
    ["javascript:alert(document.cookie)", "is a javascript: URL: only http and https addresses are published"],
    ["JavaScript:alert(1)//https://example.com", "is a javascript: URL: only http and https addresses are published"],
    ["data:text/html,<script>alert(1)</script>", "is a data: URL: only http and https addresses are published"],
    ["file:///etc/passwd", "is a file: URL: only http and https addresses are published"],
    ["ftp://example.com", "is a ftp: URL: only http and https addresses are published"],
    ["example.com", "is not an absolute URL: write it as https://host/path"],
    ["/relative/path", "is not an absolute URL: write it as https://host/path"],
    ["https://", "is not an absolute URL: write it as https://host/path"],
    ["https://user:hunter22@example.com/", "holds a user name or password: a deployment's address is shown to everyone who can read the pull request"],
    ["https://token@example.com/", "holds a user name or password: a deployment's address is shown to everyone who can read the pull request"],
    [`https://example.com/${"a".repeat(DEPLOY_URL_MAX_LENGTH)}`, "is longer than 2,048 characters"],
  ])("%j is refused: %s", (value, problem) => {
    expect(checkDeployUrl(value)).toEqual({ ok: false, problem });
  });

  test("the problem never quotes the value", () => {
    const hostile = "x-very-secret-value-y:[click](https://evil.example)";
    const checked = checkDeployUrl(hostile);
    expect(checked.ok).toBe(false);
    expect(JSON.stringify(checked)).not.toContain("secret");
    expect(JSON.stringify(checked)).not.toContain("evil");
  });
});

describe("deployUrlOf", () => {
  const masker = createMasker(["s3cr3t-token-value"]);

  test("a build that exported no DEPLOY_URL has none", () => {
    expect(deployUrlOf(undefined, masker)).toBeUndefined();
    expect(deployUrlOf([{ name: "OTHER", value: "https://example.com" }], masker)).toBeUndefined();
  });

  test("an address is published in its normal form, masked", () => {
    expect(deployUrlOf([{ name: "DEPLOY_URL", value: "https://pr-3.example.com" }], masker)).toEqual({ url: "https://pr-3.example.com/", masked: false });
  });

  test("a secret in the address is published as ***, and said so", () => {
    expect(deployUrlOf([{ name: "DEPLOY_URL", value: "https://pr-3.example.com/?token=s3cr3t-token-value" }], masker)).toEqual({
      url: "https://pr-3.example.com/?token=***",
      masked: true,
    });
  });

  test("a bad address becomes a note that names the variable", () => {
    expect(deployUrlOf([{ name: "DEPLOY_URL", value: "javascript:alert(1)" }], masker)).toEqual({
      problem: "DEPLOY_URL is a javascript: URL: only http and https addresses are published, so it was ignored.",
    });
  });
});

describe("recordedSnapshot keeps only DEPLOY_URL of the exported variables", () => {
  const snapshot = {
    id: "p:1",
    status: "SUCCEEDED" as const,
    phases: [],
    exportedVariables: [
      { name: "DEPLOY_URL", value: "https://pr-3.example.com" },
      { name: "API_TOKEN", value: "anything at all" },
    ],
  };

  test("of a trusted build: checked and masked, the others dropped", () => {
    const recorded = recordedSnapshot(snapshot, createMasker(), true);
    expect(recorded.deployUrl).toEqual({ url: "https://pr-3.example.com/", masked: false });
    expect(JSON.stringify(recorded)).not.toContain("anything at all");
  });

  test("of an untrusted build: never read, since its code would choose the link", () => {
    const recorded = recordedSnapshot(snapshot, createMasker(), false);
    expect(recorded.deployUrl).toBeUndefined();
    expect(JSON.stringify(recorded)).not.toContain("pr-3");
  });
});
