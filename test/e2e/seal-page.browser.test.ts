import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { createHttpApp, httpHandler } from "../../src/http/app.js";
import { sealRoutes } from "../../src/http/seal-routes.js";
import { appKeySecretName, loadOrCreateAppKey, type AppKeyPair } from "../../src/secrets/app-key.js";
import { openSealedValue, type SealedValueBinding } from "../../src/secrets/sealed-value.js";
import { describeInChromium, launchChromium, tryInlineCode, type Chromium } from "../support/chromium.js";
import { MemorySecretStore } from "../support/memory-secret-store.js";
import { builtPageScript } from "../support/page-scripts.js";
import { serveHandler, type ServedHandler } from "../support/serve-handler.js";

const REPOSITORY_ID = 918273645;
const SCREENSHOT = "test-artifacts/seal-page.png";
/** Everything the page may ask the app for. */
const PAGE_REQUESTS = [
  "/seal",
  "/seal/assets/seal.js",
  "/seal/assets/seal.css",
  "/seal/assets/icon.svg",
  "/seal/assets/libsodium-wrappers.mjs",
  "/seal/assets/libsodium.mjs",
  "/api/public-key",
];
const COMMAND = /^\/secret set ([A-Z0-9_]+)=sealed:([A-Za-z0-9+/]+={0,2}) --environment (all|production|preview)$/;

interface OpenedPage {
  page: Page;
  /** Errors and warnings the page logged (a CSP violation is one). */
  errors: string[];
  /** Every request the page made so far, as sent: URL, headers and body in one text. */
  requests(): Promise<{ path: string; sent: string }[]>;
}

/** The ways a value could travel in a request: as typed, URL- or form-encoded, Base64, inside JSON. */
function encodings(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    Buffer.from(value).toString("base64"),
    JSON.stringify(value).slice(1, -1),
  ];
}

describeInChromium("the /seal page in Chromium", () => {
  let served: ServedHandler;
  let url: string;
  let appKey: AppKeyPair;
  let chromium: Chromium;

  beforeAll(async () => {
    appKey = await loadOrCreateAppKey(new MemorySecretStore(), appKeySecretName("codebuild-checks/"));
    served = await serveHandler(httpHandler(createHttpApp({ error: () => undefined }, [sealRoutes(appKey)])));
    url = served.url;
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await served.close();
  });

  /** Opens the page and waits until it has the app's key and can seal. */
  async function openSealPage(path = "/seal"): Promise<OpenedPage> {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 900, height: 1000 });
    const requests: Promise<{ path: string; sent: string }>[] = [];
    const errors: string[] = [];
    page.on("request", (request) => {
      const sent = request.allHeaders().then((headers) => ({
        path: new URL(request.url()).pathname,
        sent: [request.url(), ...Object.entries(headers).flat(), request.postData() ?? ""].join("\n"),
      }));
      requests.push(sent);
    });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${url}${path}`);
    await page.waitForSelector("#seal:not([disabled])");
    return { page, errors, requests: () => Promise.all(requests) };
  }

  /** Seals what is filled in and reads the command the page gives. */
  async function seal(page: Page): Promise<{ key: string; sealed: string; environment: string }> {
    await page.click("#seal");
    await page.waitForSelector("#result:not([hidden])");
    const command = await page.inputValue("#command");
    const [, key = "", sealed = "", environment = ""] = COMMAND.exec(command) ?? [];
    expect(command).toMatch(COMMAND);
    return { key, sealed, environment };
  }

  function openAsTheApp(sealed: string, binding: SealedValueBinding, at = new Date()) {
    return openSealedValue(appKey, sealed, binding, at);
  }

  test("seals a value that only the app can open, for this repository, environment and key, and sends it nowhere", async () => {
    const value = "hunter2-Välue-🔑-do-not-leak";
    const { page, errors, requests } = await openSealPage();
    expect(await page.textContent("#key-id")).toBe(appKey.keyId);

    await page.fill("#repository-id", String(REPOSITORY_ID));
    await page.selectOption("#environment", "production");
    await page.fill("#key", "API_TOKEN");
    await page.fill("#value", value);
    const sealedAt = Date.now();
    const command = await seal(page);

    expect(command).toMatchObject({ key: "API_TOKEN", environment: "production" });
    const binding: SealedValueBinding = { repositoryId: REPOSITORY_ID, environment: "production", key: "API_TOKEN" };
    expect(openAsTheApp(command.sealed, binding)).toEqual({ ok: true, value });
    expect(openAsTheApp(command.sealed, binding, new Date(sealedAt + 59 * 60_000))).toEqual({ ok: true, value });
    expect(openAsTheApp(command.sealed, binding, new Date(Date.now() + 60 * 60_000 + 1))).toMatchObject({ ok: false, code: "expired" });
    expect(openAsTheApp(command.sealed, { ...binding, environment: "preview" })).toMatchObject({ ok: false, code: "mismatch" });

    expect(await page.inputValue("#value")).toBe("");
    expect(await page.textContent("#binding")).toContain(`Works only in repository ${REPOSITORY_ID}, environment production, for API_TOKEN, until `);
    await mkdir("test-artifacts", { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const sent = await requests();
    const paths = sent.map((r) => r.path);
    expect(paths).toEqual(
      expect.arrayContaining(["/seal", "/seal/assets/seal.js", "/seal/assets/libsodium-wrappers.mjs", "/seal/assets/libsodium.mjs", "/api/public-key"]),
    );
    // The icon is fetched whenever the browser gets to it; nothing else is ever asked for.
    expect(paths.filter((path) => !PAGE_REQUESTS.includes(path))).toEqual([]);
    for (const request of sent) {
      for (const form of encodings(value)) expect(request.sent).not.toContain(form);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  test("fills in the repository, environment and key from a link, and seals a multi-line value", async () => {
    const value = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
    const { page, errors, requests } = await openSealPage(`/seal?repository_id=${REPOSITORY_ID}&environment=preview&key=DEPLOY_KEY`);
    expect(await page.inputValue("#repository-id")).toBe(String(REPOSITORY_ID));
    expect(await page.inputValue("#environment")).toBe("preview");
    expect(await page.inputValue("#key")).toBe("DEPLOY_KEY");

    await page.fill("#value", "typed before switching");
    await page.check("#multiline");
    expect(await page.isVisible("#value")).toBe(false);
    expect(await page.inputValue("#value-lines")).toBe("typed before switching");
    await page.fill("#value-lines", value);
    const command = await seal(page);

    expect(command).toMatchObject({ key: "DEPLOY_KEY", environment: "preview" });
    expect(openAsTheApp(command.sealed, { repositoryId: REPOSITORY_ID, environment: "preview", key: "DEPLOY_KEY" })).toEqual({ ok: true, value });
    expect(await page.inputValue("#value-lines")).toBe("");
    for (const request of await requests()) {
      for (const line of value.split("\n").filter(Boolean)) expect(request.sent).not.toContain(line);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  test("ignores link parameters that are not a repository id, an environment or a variable name", async () => {
    const { page } = await openSealPage("/seal?repository_id=octo%2Fapp&environment=staging&key=api-token");
    expect(await page.inputValue("#repository-id")).toBe("");
    expect(await page.inputValue("#environment")).toBe("all");
    expect(await page.inputValue("#key")).toBe("");
    await page.close();
  });

  test.each([
    [
      "a repository name",
      { repository: "octo/app", key: "API_TOKEN", value: "v" },
      "Enter the repository's numeric id (gh api repos/OWNER/REPO --jq .id prints it).",
    ],
    [
      "a key that is no variable name",
      { repository: "123", key: "api-token", value: "v" },
      "The key is a variable name: capital letters, digits and _, not starting with a digit (like API_TOKEN).",
    ],
    ["no value", { repository: "123", key: "API_TOKEN", value: "" }, "Type the value to seal."],
    [
      "a value over 16 KiB",
      { repository: "123", key: "API_TOKEN", value: "x".repeat(16 * 1024 + 1) },
      "The value is 16385 bytes long; a value may be at most 16384 bytes (16 KiB).",
    ],
  ])("says what is wrong instead of sealing: %s", async (_case, entered, problem) => {
    const { page } = await openSealPage();
    await page.fill("#repository-id", entered.repository);
    await page.fill("#key", entered.key);
    await page.fill("#value", entered.value);
    await page.click("#seal");
    expect(await page.textContent("#problem")).toBe(problem);
    expect(await page.isVisible("#result")).toBe(false);
    await page.close();
  });

  test("runs the script npm run build compiled, and its CSP refuses inline code", async () => {
    const { page, errors } = await openSealPage();
    const responses = page.waitForResponse((response) => new URL(response.url()).pathname === "/seal/assets/seal.js");
    await page.reload();
    await page.waitForSelector("#seal:not([disabled])");
    expect(await (await responses).text()).toBe(builtPageScript("seal-page.js"));

    const inline = await tryInlineCode(page);
    expect(inline).toEqual({ script: { ran: false, refusedBy: "script-src-elem" }, handler: { ran: false, refusedBy: "script-src-attr" } });
    expect(errors).toHaveLength(2);
    expect(errors.every((error) => /Content Security Policy directive .script-src/.test(error))).toBe(true);
    await page.close();
  });

  test("pressing Enter seals too, and the Copy button puts the command on the clipboard", async () => {
    await chromium.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
    const { page } = await openSealPage(`/seal?repository_id=${REPOSITORY_ID}&key=NPM_TOKEN`);
    await page.fill("#value", "npm_abcdef");
    await page.press("#value", "Enter");
    await page.waitForSelector("#result:not([hidden])");
    await page.click("#copy");
    await page.waitForSelector("#copied:not(:empty)");
    expect(await page.textContent("#copied")).toBe("Copied.");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(await page.inputValue("#command"));
    await page.close();
  });
});
