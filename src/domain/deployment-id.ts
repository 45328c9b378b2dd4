import { createHash } from "node:crypto";

/**
 * The app's id for the build a webhook delivery asks for. Derived from the delivery
 * id, so a redelivery or a retried start maps to the same build: it is the check
 * run's external_id, the build's DEPLOYMENT_ID and CodeBuild's idempotencyToken.
 */
export function deploymentIdFor(deliveryId: string, purpose = "build"): string {
  return createHash("sha256").update(`${purpose}:${deliveryId}`).digest("hex").slice(0, 32);
}
