import { FakeCodeBuild } from "../support/fake-codebuild.js";
import { startTestApp, type TestApp } from "../support/app.js";

let app: TestApp;
let codebuild: FakeCodeBuild;
beforeEach(async () => {
  codebuild = new FakeCodeBuild();
  app = await startTestApp({ AWS_ENDPOINT_URL_CODEBUILD: await codebuild.start(), CODEBUILD_PROJECT: "p" });
});
afterEach(async () => {
  await app.stop();
  await codebuild.stop();
});
test("probe", async () => {
  const api = `${app.github.origin}/api/v3`;
  await fetch(`${api}/repos/o/r/check-runs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x", head_sha: "y", conclusion: "passed", output: { title: "t", summary: "s", annotations: [{ path: "a" }] } }) });
});
test("second", async () => {
  expect(1).toBe(1);
});
