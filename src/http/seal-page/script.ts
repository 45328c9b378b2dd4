import { VARIABLE_NAME } from "../../config/schema.js";
import { SEALED_VALUE_PREFIX } from "../../secrets/sealed-value.js";
import { MAX_VALUE_BYTES } from "../../variables/names.js";
import { VARIABLE_SCOPES } from "../../variables/store.js";
import { PUBLIC_KEY_PATH } from "./assets.js";

/**
 * The /seal page's script: builds SPEC 6's JSON and seals it with libsodium in the browser. The
 * value stays in the page: the only request it makes is for the app's public key. The limits come
 * from the app's own constants, so the page and the server refuse the same things.
 */
export const SEAL_PAGE_SCRIPT = `import sodium from "./libsodium-wrappers.mjs";

const NAME = new RegExp(${JSON.stringify(VARIABLE_NAME.source)});
const ENVIRONMENTS = ${JSON.stringify(VARIABLE_SCOPES)};
const MAX_VALUE_BYTES = ${MAX_VALUE_BYTES};
const REPOSITORY_ID = /^[1-9][0-9]*$/;

const byId = (id) => document.getElementById(id);
const form = byId("form");
const repositoryInput = byId("repository-id");
const environmentSelect = byId("environment");
const expirySelect = byId("expiry");
const keyInput = byId("key");
const valueInput = byId("value");
const valueLines = byId("value-lines");
const multiline = byId("multiline");
const problem = byId("problem");
const sealButton = byId("seal");
const result = byId("result");
const command = byId("command");
const copied = byId("copied");

let appKey;

function showProblem(message) {
  problem.textContent = message;
  problem.hidden = message === "";
}

function prefill() {
  const query = new URLSearchParams(location.search);
  const repositoryId = query.get("repository_id") || "";
  const environment = query.get("environment") || "";
  const key = query.get("key") || "";
  if (REPOSITORY_ID.test(repositoryId)) repositoryInput.value = repositoryId;
  if (ENVIRONMENTS.includes(environment)) environmentSelect.value = environment;
  if (NAME.test(key)) keyInput.value = key;
}

async function loadAppKey() {
  await sodium.ready;
  const response = await fetch(${JSON.stringify(PUBLIC_KEY_PATH)}, { credentials: "omit" });
  if (!response.ok) throw new Error("the app answered " + response.status);
  const body = await response.json();
  return { keyId: String(body.keyId), key: sodium.from_base64(body.key, sodium.base64_variants.ORIGINAL) };
}

function currentValue() {
  return multiline.checked ? valueLines.value : valueInput.value;
}

function read() {
  const repositoryId = repositoryInput.value.trim();
  const key = keyInput.value.trim();
  const value = currentValue();
  if (!REPOSITORY_ID.test(repositoryId) || !Number.isSafeInteger(Number(repositoryId))) {
    return { problem: "Enter the repository's numeric id (gh api repos/OWNER/REPO --jq .id prints it)." };
  }
  if (!NAME.test(key)) {
    return { problem: "The key is a variable name: capital letters, digits and _, not starting with a digit (like API_TOKEN)." };
  }
  if (value === "") return { problem: "Type the value to seal." };
  const bytes = new TextEncoder().encode(value).length;
  if (bytes > MAX_VALUE_BYTES) {
    return { problem: "The value is " + bytes + " bytes long; a value may be at most " + MAX_VALUE_BYTES + " bytes (16 KiB)." };
  }
  return { repositoryId: Number(repositoryId), environment: environmentSelect.value, key, value };
}

function sealEntered() {
  const entered = read();
  if (entered.problem) return showProblem(entered.problem);
  showProblem("");
  const expiresAt = new Date(Date.now() + Number(expirySelect.value) * 60000);
  const payload = JSON.stringify({
    repository_id: entered.repositoryId,
    environment: entered.environment,
    key: entered.key,
    value: entered.value,
    expires_at: expiresAt.toISOString(),
  });
  const box = sodium.crypto_box_seal(sodium.from_string(payload), appKey.key);
  const sealed = sodium.to_base64(box, sodium.base64_variants.ORIGINAL);
  valueInput.value = "";
  valueLines.value = "";
  command.value = "/secret set " + entered.key + "=" + ${JSON.stringify(SEALED_VALUE_PREFIX)} + sealed + " --environment " + entered.environment;
  byId("binding").textContent =
    "Works only in repository " + entered.repositoryId + ", environment " + entered.environment + ", for " + entered.key +
    ", until " + expiresAt.toLocaleString() + ". The value has been cleared from this page.";
  copied.textContent = "";
  result.hidden = false;
  command.focus();
  command.select();
}

async function copyCommand() {
  try {
    await navigator.clipboard.writeText(command.value);
    copied.textContent = "Copied.";
  } catch {
    command.focus();
    command.select();
    copied.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
  }
}

multiline.addEventListener("change", () => {
  const value = multiline.checked ? valueInput.value : valueLines.value;
  valueInput.value = "";
  valueLines.value = "";
  (multiline.checked ? valueLines : valueInput).value = value;
  valueInput.hidden = multiline.checked;
  valueLines.hidden = !multiline.checked;
});
form.addEventListener("input", () => {
  result.hidden = true;
});
form.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target instanceof HTMLInputElement && event.target.type !== "checkbox" && !sealButton.disabled) {
    event.preventDefault();
    sealEntered();
  }
});
sealButton.addEventListener("click", sealEntered);
byId("copy").addEventListener("click", copyCommand);

prefill();
loadAppKey().then(
  (key) => {
    appKey = key;
    byId("key-id").textContent = key.keyId;
    sealButton.disabled = false;
  },
  (error) => {
    byId("key-id").textContent = "not loaded";
    showProblem("The app's public key could not be loaded (" + error.message + "): reload the page.");
  },
);
`;
