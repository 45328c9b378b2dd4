import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  type Tag,
} from "@aws-sdk/client-secrets-manager";
import type { SecretStore } from "../../ports/variable-store.js";

/** The shortest recovery window DeleteSecret accepts (Secrets Manager API reference, DeleteSecret: 7 to 30 days). */
export const SECRET_RECOVERY_WINDOW_DAYS = 7;

/** Shown on every secret the app creates, so an operator browsing the console knows where it came from. */
export const SECRET_DESCRIPTION = "Build variable of the codebuild-checks GitHub App; change it through the app (/secret or its API), not here.";

/**
 * Secret values in AWS Secrets Manager (SPEC 3). A value only ever travels in a request body
 * the SDK marks sensitive; it never goes into an error message or a log line.
 */
export class SecretsManagerStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({ retryMode: "adaptive" })) {}

  async put(name: string, value: string, tags: Record<string, string>): Promise<{ arn: string }> {
    try {
      return await this.update(name, value, tags);
    } catch (error) {
      if (isScheduledForDeletion(error)) {
        await this.client.send(new RestoreSecretCommand({ SecretId: name }));
        return this.update(name, value, tags);
      }
      if (errorName(error) !== "ResourceNotFoundException") throw error;
    }
    try {
      const out = await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value, Tags: toTags(tags), Description: SECRET_DESCRIPTION }));
      return { arn: requiredArn(out.ARN, "CreateSecret", name) };
    } catch (error) {
      // Another writer created it between our PutSecretValue and CreateSecret.
      if (errorName(error) === "ResourceExistsException") return this.update(name, value, tags);
      throw error;
    }
  }

  async createIfAbsent(name: string, value: string, tags: Record<string, string>): Promise<boolean> {
    try {
      await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value, Tags: toTags(tags), Description: SECRET_DESCRIPTION }));
      return true;
    } catch (error) {
      if (errorName(error) === "ResourceExistsException") return false;
      if (!isScheduledForDeletion(error)) throw error;
      // The name is taken by a secret awaiting deletion: bring that one back rather than replace it.
      await this.client.send(new RestoreSecretCommand({ SecretId: name }));
      return false;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS }));
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException" || isScheduledForDeletion(error)) return;
      throw error;
    }
  }

  async getValue(name: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      return out.SecretString;
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException" || isScheduledForDeletion(error)) return undefined;
      throw error;
    }
  }

  async tag(name: string, tags: Record<string, string>): Promise<void> {
    await this.client.send(new TagResourceCommand({ SecretId: name, Tags: toTags(tags) }));
  }

  /** Stores a new value of an existing secret, then brings its tags up to date. */
  private async update(name: string, value: string, tags: Record<string, string>): Promise<{ arn: string }> {
    const out = await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    const arn = requiredArn(out.ARN, "PutSecretValue", name);
    await this.tag(arn, tags);
    return { arn };
  }
}

/**
 * Secrets Manager refuses most calls on a secret inside its recovery window with an
 * InvalidRequestException ("You can't perform this operation on the secret because it was
 * marked for deletion."); other causes share that exception, so the message tells them apart.
 * Emulators word it "…currently marked deleted", and CreateSecret "…already scheduled for deletion".
 */
export function isScheduledForDeletion(error: unknown): boolean {
  return errorName(error) === "InvalidRequestException" && /for deletion|marked deleted/i.test(errorMessage(error));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : "";
}

function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function requiredArn(arn: string | undefined, action: string, name: string): string {
  if (!arn) throw new Error(`Secrets Manager answered ${action} for secret ${name} without its ARN`);
  return arn;
}
