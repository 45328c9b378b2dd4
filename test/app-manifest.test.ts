import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { CALLBACK_PATH } from "../src/http/sign-in.js";
import { parseSettings } from "../src/settings.js";

/** app.yml: the manifest Probot's setup page sends to GitHub to register the app. */
const manifest = parse(readFileSync(new URL("../app.yml", import.meta.url), "utf8")) as Record<string, unknown>;

describe("app.yml", () => {
  test("registers the sign-in callback of the app as npm start runs it, so private log pages work without a change on GitHub", () => {
    const { publicUrl } = parseSettings({ WEBHOOK_SECRET: "x" });
    expect(manifest.callback_urls).toEqual([`${publicUrl}${CALLBACK_PATH}`]);
  });

  test("asks for deployments: write, for the deployments and statuses of `deployment: true` (SPEC 10)", () => {
    expect((manifest.default_permissions as Record<string, string>).deployments).toBe("write");
  });

  test("is private: only its owner's account can install it", () => {
    expect(manifest.public).toBe(false);
  });
});
