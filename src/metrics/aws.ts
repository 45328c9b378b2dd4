import type { HandlerExecutionContext, MiddlewareStack, Pluggable } from "@smithy/types";
import type { AppMetrics } from "./registry.js";

/** The middleware's name in a client's stack; adding it again replaces it instead of counting twice. */
const MIDDLEWARE_NAME = "codebuildChecksMetrics";

/** `CodeBuildClient` / `StartBuildCommand` → `CodeBuild` / `StartBuild`, as AWS names them. */
export function awsCallName(context: Pick<HandlerExecutionContext, "clientName" | "commandName">): { service: string; operation: string } {
  return {
    service: context.clientName?.replace(/Client$/, "") || "unknown",
    operation: context.commandName?.replace(/Command$/, "") || "unknown",
  };
}

/**
 * The label of a failed call: the exception's name (`ThrottlingException`), or the Node
 * error code of a network failure (`ECONNREFUSED`). Anything else is `Error`, so a label
 * never carries a message.
 */
export function awsErrorName(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const identifier = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z][\w.]{0,63}$/.test(value);
  if (identifier(name) && name !== "Error") return name;
  return identifier(code) ? code : "Error";
}

/**
 * An SDK plugin counting every call by service and operation, errors by exception name,
 * and durations. It sits in the initialize step, outside the SDK's retries: a call is
 * counted once, with its final outcome.
 */
export function awsMetricsPlugin<Input extends object, Output extends object>(metrics: AppMetrics): Pluggable<Input, Output> {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const started = performance.now();
          const count = (error: string | undefined) => metrics.awsRequest({ ...awsCallName(context), error, seconds: (performance.now() - started) / 1000 });
          try {
            const result = await next(args);
            count(undefined);
            return result;
          } catch (error) {
            count(awsErrorName(error));
            throw error;
          }
        },
        { step: "initialize", name: MIDDLEWARE_NAME, override: true },
      );
    },
  };
}

/** Counts the calls of an AWS SDK v3 client (a DynamoDB document client shares its client's stack). */
export function instrumentAwsClient<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  metrics: AppMetrics,
): void {
  client.middlewareStack.use(awsMetricsPlugin<Input, Output>(metrics));
}
