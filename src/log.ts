import { getTransformStream } from "@probot/pino";
import { pino, stdSerializers, type Logger } from "pino";
import type { LogMasking } from "./log-masking.js";

/**
 * Probot's logger (same format options: LOG_LEVEL, LOG_FORMAT, LOG_LEVEL_IN_STRING,
 * LOG_MESSAGE_KEY, SENTRY_DSN), with an error serializer that drops the webhook event
 * @octokit/webhooks attaches to handler errors (payloads never reach the logs) and
 * credentials redacted from logged requests; every line masked as it leaves (`masking`).
 */
export async function createLogger(env: NodeJS.ProcessEnv, masking?: LogMasking, destination?: NodeJS.WritableStream): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: env.LOG_FORMAT === "json" || env.LOG_FORMAT === "pretty" ? env.LOG_FORMAT : env.NODE_ENV === "production" ? "json" : "pretty",
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN,
  });
  // SonicBoom is a writable stream without Node's type; Probot pipes it the same way.
  transform.pipe(destination ?? (pino.destination(1) as unknown as NodeJS.WritableStream));
  return pino(
    {
      level: env.LOG_LEVEL || "info",
      name: "probot",
      messageKey: env.LOG_MESSAGE_KEY || "msg",
      serializers: { err: serializeErrorWithoutEvent },
      // Probot's request logger writes request headers: user tokens and session cookies stay out.
      redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
      // The line as written, after every serializer: nothing reaches the output unmasked.
      ...(masking && { hooks: { streamWrite: (line: string) => masking.mask(line) } }),
    },
    transform,
  );
}

export function serializeErrorWithoutEvent(error: unknown): unknown {
  return error instanceof Error ? withoutEvent(stdSerializers.err(error)) : error;
}

/** Drops `event` from a serialized error and from the errors it aggregates or was caused by. */
function withoutEvent(serialized: unknown): unknown {
  if (typeof serialized !== "object" || serialized === null) return serialized;
  const { event: _event, aggregateErrors, cause, ...rest } = serialized as Record<string, unknown>;
  return {
    ...rest,
    ...(Array.isArray(aggregateErrors) && { aggregateErrors: aggregateErrors.map(withoutEvent) }),
    ...(cause !== undefined && { cause: withoutEvent(cause) }),
  };
}
