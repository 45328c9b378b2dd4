/** GitHub keeps an app's webhook deliveries, and redelivers them, for 3 days (docs: "Redelivering webhooks"). */
export const GITHUB_DELIVERY_RETENTION_MS = 3 * 24 * 3_600_000;
