/**
 * The /seal page's script (SPEC 6 and 7): builds SPEC 6's JSON and seals it with libsodium in the
 * browser. The value stays in the page: the only request it makes is for the app's public key. The
 * limits come from the page's data attributes, which the server writes from its own constants, so
 * the page and the server refuse the same things.
 */
import sodium from "./libsodium-wrappers.mjs";

const REPOSITORY_ID = /^[1-9][0-9]*$/;

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The seal page has no #${id}`);
  return node as T;
}

const limits = byId("seal-page").dataset;
const NAME = new RegExp(limits.keyPattern ?? "");
const ENVIRONMENTS = (limits.environments ?? "").split(" ");
const MAX_VALUE_BYTES = Number(limits.maxValueBytes);
const SEALED_VALUE_PREFIX = limits.sealedPrefix ?? "";
const PUBLIC_KEY_URL = limits.publicKeyUrl ?? "";

const form = byId("form");
const repositoryInput = byId<HTMLInputElement>("repository-id");
const environmentSelect = byId<HTMLSelectElement>("environment");
const expirySelect = byId<HTMLSelectElement>("expiry");
const keyInput = byId<HTMLInputElement>("key");
const valueInput = byId<HTMLInputElement>("value");
const valueLines = byId<HTMLTextAreaElement>("value-lines");
const multiline = byId<HTMLInputElement>("multiline");
const problem = byId("problem");
const sealButton = byId<HTMLButtonElement>("seal");
const result = byId("result");
const command = byId<HTMLTextAreaElement>("command");
const copied = byId("copied");

interface AppKey {
  keyId: string;
  key: Uint8Array;
}

type Entered = { problem: string } | { repositoryId: number; environment: string; key: string; value: string };

let appKey: AppKey | undefined;

function showProblem(message: string): void {
  problem.textContent = message;
  problem.hidden = message === "";
}

function prefill(): void {
  const query = new URLSearchParams(location.search);
  const repositoryId = query.get("repository_id") || "";
  const environment = query.get("environment") || "";
  const key = query.get("key") || "";
  if (REPOSITORY_ID.test(repositoryId)) repositoryInput.value = repositoryId;
  if (ENVIRONMENTS.includes(environment)) environmentSelect.value = environment;
  if (NAME.test(key)) keyInput.value = key;
}

async function loadAppKey(): Promise<AppKey> {
  await sodium.ready;
  const response = await fetch(PUBLIC_KEY_URL, { credentials: "omit" });
  if (!response.ok) throw new Error("the app answered " + response.status);
  const body = (await response.json()) as { keyId: unknown; key: string };
  return { keyId: String(body.keyId), key: sodium.from_base64(body.key, sodium.base64_variants.ORIGINAL) };
}

function currentValue(): string {
  return multiline.checked ? valueLines.value : valueInput.value;
}

function read(): Entered {
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

function sealEntered(): void {
  const entered = read();
  if ("problem" in entered) return showProblem(entered.problem);
  if (!appKey) return;
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
  command.value = "/secret set " + entered.key + "=" + SEALED_VALUE_PREFIX + sealed + " --environment " + entered.environment;
  byId("binding").textContent =
    "Works only in repository " +
    entered.repositoryId +
    ", environment " +
    entered.environment +
    ", for " +
    entered.key +
    ", until " +
    expiresAt.toLocaleString() +
    ". The value has been cleared from this page.";
  copied.textContent = "";
  result.hidden = false;
  command.focus();
  command.select();
}

async function copyCommand(): Promise<void> {
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
  (error: Error) => {
    byId("key-id").textContent = "not loaded";
    showProblem("The app's public key could not be loaded (" + error.message + "): reload the page.");
  },
);
