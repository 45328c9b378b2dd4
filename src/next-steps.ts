import type { Settings } from "./settings.js";

/** Where a channel that relays GitHub's webhooks to this machine is made (Probot's WEBHOOK_PROXY_URL). */
export const NEW_WEBHOOK_CHANNEL_URL = "https://smee.io/new";

/** Host names GitHub can never send a webhook to: this machine, and private networks. */
const UNREACHABLE_HOST =
  /^(localhost|.*\.localhost|127(\.\d+){3}|0\.0\.0\.0|\[::1?\]|10(\.\d+){3}|192\.168(\.\d+){2}|172\.(1[6-9]|2\d|3[01])(\.\d+){2}|.*\.local)$/i;

/** True when GitHub cannot reach `url` (localhost, a private address). */
export function unreachableFromGitHub(url: string): boolean {
  return UNREACHABLE_HOST.test(new URL(url).hostname);
}

/**
 * The start-up lines of an app that is not registered yet (Probot's setup page): one sentence for
 * what to do next, and one for where webhooks will come from.
 */
export function setupModeNextSteps(appUrl: string, webhookProxyUrl: string | undefined): string[] {
  return [
    `Next: open ${appUrl}, register the GitHub App under a name of your own (names are unique on GitHub), install it on a test repository, and start the app again.`,
    webhookProxyUrl
      ? `Webhooks will come through WEBHOOK_PROXY_URL=${webhookProxyUrl}, which the registration gives GitHub as the app's Webhook URL.`
      : `GitHub cannot send webhooks to this machine: open ${NEW_WEBHOOK_CHANNEL_URL} and set WEBHOOK_PROXY_URL to the channel's URL (in .env) before registering.`,
  ];
}

/** The start-up lines of a registered app: how webhooks reach it, then what to do next, one sentence each. */
export function nextSteps(settings: Pick<Settings, "publicUrl" | "webhookPath" | "webhookProxyUrl" | "runner">): string[] {
  const { publicUrl, webhookProxyUrl, runner } = settings;
  const webhooks = webhookProxyUrl
    ? `Webhooks come through WEBHOOK_PROXY_URL=${webhookProxyUrl}, relayed to ${settings.webhookPath}: it must be the GitHub App's Webhook URL.`
    : unreachableFromGitHub(publicUrl)
      ? `Next: GitHub cannot send webhooks to ${publicUrl}: open ${NEW_WEBHOOK_CHANNEL_URL}, set WEBHOOK_PROXY_URL to the channel's URL (in .env) and as the GitHub App's Webhook URL, and start the app again.`
      : `GitHub must send webhooks to ${publicUrl}${settings.webhookPath}: that is the GitHub App's Webhook URL.`;
  const what = runner === "local" ? "a commit with a buildspec.yml" : "a commit";
  return [
    webhooks,
    `To try it, push ${what} to a repository the app is installed on: its check run's Details link opens the build's log at ${publicUrl}/builds/….`,
  ];
}
