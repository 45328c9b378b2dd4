import { fileURLToPath } from "node:url";
import { jest } from "@jest/globals";
import { ESLint } from "eslint";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** ESLint's messages of the layer rule for `code` as if it were the file at `path` in src/. */
async function layerProblems(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith("boundaries/")).map((m) => m.message);
}

describe("the import direction between layers (eslint.layers.js)", () => {
  // The plugin's notice that `mode: "full"` (how eslint.layers.js classifies single files) is deprecated.
  const warn = console.warn.bind(console);
  beforeAll(() =>
    jest.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void (String(args[0]).startsWith("[boundaries][warning]") || warn(...args))),
  );
  afterAll(() => jest.restoreAllMocks());

  test.each([
    [
      "a core folder importing a workflow",
      "src/checks/layer-fixture.ts",
      'import type { Dependencies } from "../workflows/dependencies.js";',
      "checks",
      "workflows",
    ],
    [
      "a core folder importing an adapter",
      "src/config/layer-fixture.ts",
      'import { CodeBuildRunner } from "../adapters/aws/codebuild.js";',
      "config",
      "adapters",
    ],
    ["a lower core folder importing a higher one", "src/config/layer-fixture.ts", 'import { decideBuild } from "../builds/decide.js";', "config", "builds"],
    [
      "rendering check runs importing deployments (the core folder above it)",
      "src/checks/layer-fixture.ts",
      'import { checkDeployUrl } from "../deployments/deploy-url.js";',
      "checks",
      "deployments",
    ],
    ["the domain importing the core", "src/domain/layer-fixture.ts", 'import type { RepoConfig } from "../config/schema.js";', "domain", "config"],
    ["a port importing a workflow", "src/ports/layer-fixture.ts", 'import type { Dependencies } from "../workflows/dependencies.js";', "ports", "workflows"],
    [
      "a workflow importing an edge",
      "src/workflows/layer-fixture.ts",
      'import { parseSettings } from "../settings.js";\nimport { limitWebhookBodies } from "../http/webhook-body.js";',
      "workflows",
      "edges",
    ],
    [
      "an adapter importing a workflow",
      "src/adapters/layer-fixture.ts",
      'import { processTrigger } from "../workflows/builds/process.js";',
      "adapters",
      "workflows",
    ],
    [
      "a workflow writing a check run around the check-run port",
      "src/workflows/layer-fixture.ts",
      'import { updateCheckRun } from "../adapters/github/checks.js";',
      "workflows",
      "adapters",
    ],
  ])("%s is reported, naming both layers", async (_case, path, code, from, to) => {
    const problems = await layerProblems(path, code);
    expect(problems).toEqual([expect.stringContaining(`from elements of type "${from}" to elements of type "${to}"`)]);
  });

  test.each([
    [
      "a workflow importing ports, core and domain",
      "src/workflows/layer-fixture.ts",
      'import type { BuildRunner } from "../ports/build-runner.js";\nimport { decideBuild } from "../builds/decide.js";\nimport type { Trigger } from "../domain/trigger.js";',
    ],
    ["a higher core folder importing a lower one", "src/builds/layer-fixture.ts", 'import { CONFIG_PATH } from "../config/schema.js";'],
    ["an edge importing an adapter", "src/http/layer-fixture.ts", 'import { CodeBuildRunner } from "../adapters/aws/codebuild.js";'],
  ])("%s is allowed", async (_case, path, code) => {
    expect(await layerProblems(path, code)).toEqual([]);
  });
});
