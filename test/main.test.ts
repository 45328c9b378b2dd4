import { startApp } from "../src/main.js";
import { SettingsError } from "../src/settings.js";
import { testPrivateKey } from "./support/fake-github.js";

const valid = (): NodeJS.ProcessEnv => ({
  APP_ID: "12",
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: "secret",
  AWS_REGION: "us-east-1",
  CODEBUILD_PROJECT: "builds",
  LOG_LEVEL: "silent",
});

describe("start-up refuses a bad configuration with one line naming the variable", () => {
  test.each([
    [{ PRIVATE_KEY: "not a key" }, /^Invalid PRIVATE_KEY: /],
    [{ APP_ID: "my-app" }, /^Invalid APP_ID="my-app": /],
    [{ WEBHOOK_SECRET: "" }, /^Missing WEBHOOK_SECRET: /],
    [{ CODEBUILD_PROJECT: "" }, /^Missing CODEBUILD_PROJECT: /],
    [{ LOGS_RPS: "fast" }, /^Invalid LOGS_RPS="fast": /],
  ])("%j", async (change, message) => {
    const error = await startApp({ ...valid(), ...change } as NodeJS.ProcessEnv).then(
      (running) => running.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });
});
