/**
 * GitHub's advice when a secondary rate limit answer carries no `retry-after`: wait at least a minute
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
 */
export const SECONDARY_LIMIT_PAUSE_MS = 60_000;

interface ErrorAnswer {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, unknown> };
}

/**
 * How long to leave GitHub alone after `error` (an Octokit RequestError) when it is a rate-limit
 * answer, read as GitHub documents it and Octokit's throttling plugin does; undefined for any other
 * error. A 403 without any sign of a limit is a refusal (a missing permission), not a limit.
 */
export function rateLimitPause(error: unknown, now: number): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, message, response } = error as ErrorAnswer;
  if (status !== 403 && status !== 429) return undefined;
  const headers = response?.headers ?? {};
  const retryAfterSeconds = Number(headers["retry-after"]);
  if (retryAfterSeconds > 0) return retryAfterSeconds * 1000;
  const resetSeconds = Number(headers["x-ratelimit-reset"]);
  // The primary limit is spent: GitHub says when it resets; a second more, so the retry comes after.
  if (String(headers["x-ratelimit-remaining"]) === "0" && resetSeconds > 0) return Math.max(0, resetSeconds * 1000 - now) + 1000;
  if (status === 429 || /\bsecondary rate\b/i.test(String(message))) return SECONDARY_LIMIT_PAUSE_MS;
  return undefined;
}
