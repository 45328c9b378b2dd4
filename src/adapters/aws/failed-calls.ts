import type { MiddlewareStack } from "@smithy/types";
import { FAILED_CALL, type ServiceCall } from "../../builds/start-failure.js";
import { awsCallName } from "../../metrics/aws.js";

/** The middleware's name in a client's stack; adding it again replaces it. */
const MIDDLEWARE_NAME = "codebuildChecksFailedCalls";

/**
 * Makes every error an AWS client throws name its call (`SecretsManager` / `TagResource`), a
 * network failure included, so a start that fails can say what failed (builds/start-failure.ts).
 * Outside the SDK's retries: the call's final error is named.
 */
export function nameFailedCalls<Input extends object, Output extends object>(client: { middlewareStack: MiddlewareStack<Input, Output> }): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === "object" && error !== null && !(FAILED_CALL in error)) {
          const call: ServiceCall = awsCallName(context);
          Object.defineProperty(error, FAILED_CALL, { value: call });
        }
        throw error;
      }
    },
    { step: "initialize", name: MIDDLEWARE_NAME, override: true },
  );
}
