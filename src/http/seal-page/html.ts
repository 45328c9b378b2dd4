import { html } from "hono/html";
import { SEALED_VALUE_PREFIX } from "../../secrets/sealed-value.js";
import { MAX_VALUE_BYTES, VARIABLE_NAME } from "../../domain/variable-names.js";
import { PUBLIC_KEY_PATH, SEAL_ASSETS_PATH } from "./assets.js";
import { VARIABLE_SCOPES } from "../../domain/variables.js";

/**
 * The /seal page (SPEC 7). Static: nothing from the request is written into it; the script fills
 * in the repository, environment and key from the query string. There is no <form>, so pressing
 * Enter or a page without its script can never submit the value anywhere. The script
 * (src/browser/seal-page.ts) reads the app's own limits from <main>'s data attributes, so the page
 * and the server refuse the same things; `hono/html` escapes them.
 */
export const SEAL_PAGE_HTML = String(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Seal a secret · codebuild-checks</title>
<link rel="icon" href="${SEAL_ASSETS_PATH}icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${SEAL_ASSETS_PATH}seal.css">
<script type="module" src="${SEAL_ASSETS_PATH}seal.js"></script>
</head>
<body>
<main id="seal-page" data-key-pattern="${VARIABLE_NAME.source}" data-environments="${VARIABLE_SCOPES.join(" ")}" data-max-value-bytes="${MAX_VALUE_BYTES}"
  data-sealed-prefix="${SEALED_VALUE_PREFIX}" data-public-key-url="${PUBLIC_KEY_PATH}">
  <h1>Seal a secret</h1>
  <p class="lead">Your browser encrypts the value with this app's public key, so that only the app can open it, and only
  for the repository, environment and key chosen here. The value is not sent anywhere: you paste the sealed command
  in a pull-request comment, which the app deletes once it has read it.</p>
  <noscript><p class="problem">This page seals the value in your browser and needs JavaScript.</p></noscript>
  <section class="card" id="form" aria-label="Secret to seal">
    <div class="field">
      <label for="repository-id">Repository id</label>
      <input id="repository-id" inputmode="numeric" autocomplete="off" spellcheck="false" placeholder="123456789">
      <p class="hint">The repository's number, which stays the same when it is renamed or transferred:
      <code>gh api repos/OWNER/REPO --jq .id</code></p>
    </div>
    <div class="row">
      <div class="field">
        <label for="environment">Environment</label>
        <select id="environment">
          <option value="all" selected>all</option>
          <option value="production">production</option>
          <option value="preview">preview</option>
        </select>
      </div>
      <div class="field">
        <label for="expiry">Paste it within</label>
        <select id="expiry">
          <option value="15">15 minutes</option>
          <option value="60" selected>1 hour</option>
          <option value="1440">1 day</option>
          <option value="10080">7 days</option>
        </select>
      </div>
    </div>
    <div class="field">
      <label for="key">Key</label>
      <input id="key" autocomplete="off" spellcheck="false" autocapitalize="characters" placeholder="API_TOKEN">
    </div>
    <div class="field">
      <label for="value">Value</label>
      <input id="value" type="password" autocomplete="new-password" spellcheck="false">
      <textarea id="value-lines" rows="5" autocomplete="off" spellcheck="false" aria-label="Value" hidden></textarea>
      <label class="check"><input type="checkbox" id="multiline"> Multi-line value (shown as typed)</label>
    </div>
    <p id="problem" class="problem" role="alert" hidden></p>
    <button type="button" id="seal" disabled>Seal</button>
  </section>
  <section class="card" id="result" aria-label="Sealed command" hidden>
    <h2>Paste this as a pull-request comment</h2>
    <textarea id="command" rows="6" readonly spellcheck="false" aria-label="Command"></textarea>
    <div class="actions">
      <button type="button" id="copy">Copy</button>
      <span id="copied" role="status"></span>
    </div>
    <p id="binding" class="hint"></p>
  </section>
  <footer>App key <code id="key-id">loading…</code></footer>
</main>
</body>
</html>
`);
