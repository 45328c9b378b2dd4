import { createHash } from "node:crypto";
import type { SecretStore } from "../../src/ports/variable-store.js";

export type SecretCall =
  | { method: "put"; name: string; tags: Record<string, string> }
  | { method: "delete" | "getValue"; name: string }
  | { method: "createIfAbsent"; name: string; tags: Record<string, string> }
  | { method: "tag"; name: string; tags: Record<string, string> };

interface Secret {
  name: string;
  arn: string;
  value: string;
  tags: Record<string, string>;
  scheduledForDeletion: boolean;
}

/**
 * SecretStore in memory, behaving as Secrets Manager does for the app: secrets are found by
 * name or ARN, `delete` schedules deletion (the value is gone until a `put` restores it), and
 * every call is recorded in `calls` (without values, as logs would be).
 */
export class MemorySecretStore implements SecretStore {
  readonly calls: SecretCall[] = [];
  private readonly secrets = new Map<string, Secret>();

  async put(name: string, value: string, tags: Record<string, string>): Promise<{ arn: string }> {
    this.calls.push({ method: "put", name, tags });
    const existing = this.find(name);
    const secret = existing ?? { name, arn: arnOf(name), value, tags: {}, scheduledForDeletion: false };
    Object.assign(secret, { value, tags: { ...secret.tags, ...tags }, scheduledForDeletion: false });
    this.secrets.set(secret.name, secret);
    return { arn: secret.arn };
  }

  async createIfAbsent(name: string, value: string, tags: Record<string, string>): Promise<boolean> {
    this.calls.push({ method: "createIfAbsent", name, tags });
    const existing = this.find(name);
    if (existing) {
      existing.scheduledForDeletion = false;
      return false;
    }
    this.secrets.set(name, { name, arn: arnOf(name), value, tags: { ...tags }, scheduledForDeletion: false });
    return true;
  }

  async delete(name: string): Promise<void> {
    this.calls.push({ method: "delete", name });
    const secret = this.find(name);
    if (secret) secret.scheduledForDeletion = true;
  }

  async getValue(name: string): Promise<string | undefined> {
    this.calls.push({ method: "getValue", name });
    const secret = this.find(name);
    return secret && !secret.scheduledForDeletion ? secret.value : undefined;
  }

  async tag(name: string, tags: Record<string, string>): Promise<void> {
    this.calls.push({ method: "tag", name, tags });
    const secret = this.find(name);
    if (!secret) throw new Error(`ResourceNotFoundException: Secrets Manager can't find the specified secret ${name}`);
    secret.tags = { ...secret.tags, ...tags };
  }

  /** The live value by name or ARN, without recording a call (for assertions). */
  peek(nameOrArn: string): string | undefined {
    const secret = this.find(nameOrArn);
    return secret && !secret.scheduledForDeletion ? secret.value : undefined;
  }

  /** Tags by name or ARN, without recording a call. */
  tagsOf(nameOrArn: string): Record<string, string> | undefined {
    return this.find(nameOrArn)?.tags;
  }

  /** Names of the secrets that are not scheduled for deletion. */
  liveNames(): string[] {
    return [...this.secrets.values()].filter((s) => !s.scheduledForDeletion).map((s) => s.name);
  }

  private find(nameOrArn: string): Secret | undefined {
    return this.secrets.get(nameOrArn) ?? [...this.secrets.values()].find((s) => s.arn === nameOrArn);
  }
}

/** Secrets Manager appends six random characters to a secret's ARN; here they follow from the name. */
function arnOf(name: string): string {
  const suffix = createHash("sha256").update(name).digest("base64url").slice(0, 6);
  return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${suffix}`;
}
